package dev.flinkpipelines.testkit.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A JSON text as the generator builds it: scalars as raw text, objects as ordered members whose
 * keys are kept as written. A parsed tree could not hold what the corpus needs: duplicate keys,
 * unquoted keys, a key without a value.
 */
sealed interface Json permits Json.Raw, Json.Obj, Json.Arr {

    /** A value exactly as written; the empty text makes a key without a value. */
    record Raw(String text) implements Json {}

    record Arr(List<Json> elements) implements Json {}

    record Obj(List<Member> members) implements Json {

        /**
         * This object with the member at {@code path} replaced by what {@code change} makes of it
         * (nothing removes it, two duplicate it). A path of two names reaches into the first
         * element of an array member.
         */
        Obj edit(List<String> path, Function<Member, List<Member>> change) {
            List<Member> edited = new ArrayList<>();
            boolean found = false;
            for (Member m : members) {
                if (!m.key().equals(quote(path.get(0)))) {
                    edited.add(m);
                    continue;
                }
                found = true;
                if (path.size() == 1) {
                    edited.addAll(change.apply(m));
                } else {
                    Arr array = (Arr) m.value();
                    List<Json> elements = new ArrayList<>(array.elements());
                    elements.set(
                            0, ((Obj) elements.get(0)).edit(path.subList(1, path.size()), change));
                    edited.add(new Member(m.key(), m.colon(), new Arr(elements)));
                }
            }
            if (!found) {
                throw new IllegalArgumentException("no member " + path.get(0));
            }
            return new Obj(edited);
        }

        /** This object with the value at {@code path} replaced. */
        Obj with(List<String> path, Json value) {
            return edit(path, m -> List.of(new Member(m.key(), m.colon(), value)));
        }

        Obj with(List<String> path, String rawValue) {
            return with(path, new Raw(rawValue));
        }

        Obj without(List<String> path) {
            return edit(path, m -> List.of());
        }

        Obj plus(Member member) {
            List<Member> more = new ArrayList<>(members);
            more.add(member);
            return new Obj(more);
        }

        /** The value at {@code path}. */
        Json get(List<String> path) {
            for (Member m : members) {
                if (m.key().equals(quote(path.get(0)))) {
                    return path.size() == 1
                            ? m.value()
                            : ((Obj) ((Arr) m.value()).elements().get(0))
                                    .get(path.subList(1, path.size()));
                }
            }
            throw new IllegalArgumentException("no member " + path.get(0));
        }
    }

    /**
     * One member. {@code key} is the key token as written (normally quoted); {@code colon} false
     * leaves the colon out.
     */
    record Member(String key, boolean colon, Json value) {
        static Member of(String name, Json value) {
            return new Member(quote(name), true, value);
        }
    }

    static String quote(String name) {
        return "\"" + name + "\"";
    }

    /**
     * Where a style puts whitespace: after an opening bracket, around colons, after commas, before
     * a closing one.
     */
    enum Style {
        COMPACT("", ":", ",", ""),
        SPACED(" ", ": ", ", ", " "),
        PRETTY_LF("\n  ", ": ", ",\n  ", "\n"),
        PRETTY_CRLF("\r\n  ", ": ", ",\r\n  ", "\r\n"),
        TABBED("\t", ":\t", ",\t", "\t");

        private final String open;
        private final String colon;
        private final String comma;
        private final String close;

        Style(String open, String colon, String comma, String close) {
            this.open = open;
            this.colon = colon;
            this.comma = comma;
            this.close = close;
        }

        String render(Json json) {
            StringBuilder out = new StringBuilder();
            render(json, out);
            return out.toString();
        }

        private void render(Json json, StringBuilder out) {
            if (json instanceof Raw raw) {
                out.append(raw.text());
            } else if (json instanceof Arr arr) {
                out.append('[').append(arr.elements().isEmpty() ? "" : open);
                for (int i = 0; i < arr.elements().size(); i++) {
                    out.append(i == 0 ? "" : comma);
                    render(arr.elements().get(i), out);
                }
                out.append(arr.elements().isEmpty() ? "" : close).append(']');
            } else {
                Obj obj = (Obj) json;
                out.append('{').append(obj.members().isEmpty() ? "" : open);
                for (int i = 0; i < obj.members().size(); i++) {
                    Member m = obj.members().get(i);
                    out.append(i == 0 ? "" : comma).append(m.key()).append(m.colon() ? colon : "");
                    render(m.value(), out);
                }
                out.append(obj.members().isEmpty() ? "" : close).append('}');
            }
        }
    }
}
