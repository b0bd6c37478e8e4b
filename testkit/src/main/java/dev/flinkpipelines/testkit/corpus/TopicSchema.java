package dev.flinkpipelines.testkit.corpus;

import java.util.ArrayList;
import java.util.List;

/**
 * What the corpus generator needs to know of a topic: its fields in the order of a valid template
 * record. The template is that record, built from each field's valid value.
 */
public record TopicSchema(String name, List<Field> fields) {

    public TopicSchema {
        fields = List.copyOf(fields);
    }

    public static TopicSchema of(String name, Field... fields) {
        return new TopicSchema(name, List.of(fields));
    }

    /**
     * The valid template record every field-level corpus record breaks in one place, as compact
     * UTF-8 JSON.
     */
    public byte[] templateRecord() {
        return Json.Style.COMPACT
                .render(template())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The valid template record. */
    Json.Obj template() {
        return objectOf(fields);
    }

    private static Json.Obj objectOf(List<Field> fields) {
        List<Json.Member> members = new ArrayList<>();
        for (Field f : fields) {
            Json value =
                    f.type() == FieldType.OBJECT_ARRAY
                            ? new Json.Arr(List.of(objectOf(f.elementFields())))
                            : new Json.Raw(f.validJson());
            members.add(Json.Member.of(f.name(), value));
        }
        return new Json.Obj(members);
    }

    /** Every field with where it is: top-level ones, then those of an array's first element. */
    List<Located> locatedFields() {
        List<Located> located = new ArrayList<>();
        for (Field f : fields) {
            located.add(new Located(List.of(f.name()), f));
            for (Field element : f.elementFields()) {
                located.add(new Located(List.of(f.name(), element.name()), element));
            }
        }
        return located;
    }

    /**
     * A field and its path: {@code [name]}, or {@code [array, name]} for a field of the array's
     * first element.
     */
    record Located(List<String> path, Field field) {
        String label() {
            return path.size() == 1 ? path.get(0) : path.get(0) + "[0]." + path.get(1);
        }
    }
}
