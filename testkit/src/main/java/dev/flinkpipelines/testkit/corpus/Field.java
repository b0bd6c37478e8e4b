package dev.flinkpipelines.testkit.corpus;

import java.util.List;

/**
 * One field of a topic's contract: its name, type, whether it is required, the longest string it
 * may hold, a valid value (for the template record) and the values its contract forbids.
 *
 * @param maxLength the longest string allowed, in characters; 0 when the contract sets none (enums
 *     and timestamps: their bad values are {@link #violations})
 * @param validJson a valid value as JSON text; ignored for {@link FieldType#OBJECT_ARRAY}, whose
 *     template is one element built from {@link #elementFields}
 */
public record Field(
        String name,
        FieldType type,
        boolean required,
        int maxLength,
        String validJson,
        List<Field> elementFields,
        List<Violation> violations) {

    public Field {
        elementFields = List.copyOf(elementFields);
        violations = List.copyOf(violations);
        if ((type == FieldType.OBJECT_ARRAY) == elementFields.isEmpty()) {
            throw new IllegalArgumentException(
                    name + ": element fields are for OBJECT_ARRAY fields, and only for them");
        }
    }

    public static Field required(String name, FieldType type, String validJson) {
        return new Field(name, type, true, 0, validJson, List.of(), List.of());
    }

    public static Field optional(String name, FieldType type, String validJson) {
        return new Field(name, type, false, 0, validJson, List.of(), List.of());
    }

    /** A required array of objects whose first element is built from {@code elementFields}. */
    public static Field objectArray(String name, Field... elementFields) {
        return new Field(
                name, FieldType.OBJECT_ARRAY, true, 0, "", List.of(elementFields), List.of());
    }

    public Field maxLength(int characters) {
        return new Field(name, type, required, characters, validJson, elementFields, violations);
    }

    public Field violations(Violation... forbidden) {
        return new Field(
                name, type, required, maxLength, validJson, elementFields, List.of(forbidden));
    }
}
