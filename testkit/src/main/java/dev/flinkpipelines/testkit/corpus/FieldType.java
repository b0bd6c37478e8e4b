package dev.flinkpipelines.testkit.corpus;

/** What a field of a topic's contract holds; it decides which wrong values the corpus tries. */
public enum FieldType {
    /** A JSON string. */
    STRING,
    /**
     * A JSON integer: no fraction and no exponent (1e3 and 1.0 are not whole numbers to the
     * parsers).
     */
    INTEGER,
    /** Money: a JSON number >= 0 with at most 2 decimals, read exactly. */
    MONEY,
    /** true or false. */
    BOOLEAN,
    /** An array of objects that have fields of their own (an order's items). */
    OBJECT_ARRAY
}
