package io.jcontainerd.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FiltersTest {
    record Entry(String name, String other, Map<String, String> labels) {
        Adaptor adaptor() {
            return path -> switch (path.get(0)) {
                case "name" -> name.isEmpty() ? null : name;
                case "other" -> other.isEmpty() ? null : other;
                case "labels" -> labels.get(String.join(".", path.subList(1, path.size())));
                default -> null;
            };
        }
    }

    static final List<Entry> CORPUS = List.of(
            new Entry("foo", "", Map.of("foo", "true")),
            new Entry("bar", "", Map.of()),
            new Entry("foo", "", Map.of("foo", "present", "more complex label", "present")),
            new Entry("bar", "", Map.of("bar", "true")),
            new Entry("fooer", "", Map.of("more complex label with \\ and \"", "present")),
            new Entry("fooer", "", Map.of("more complex label with \\ and \".post", "present")),
            new Entry("baz", "too complex, yo", Map.of()),
            new Entry("bazo", "abc", Map.of()),
            new Entry("compound", "", Map.of("foo", "omg_asdf.asdf-qwer")));

    /** Indexes into CORPUS of the entries the filter matches. */
    static String matches(String filter) {
        Filter f = Filters.parse(filter);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < CORPUS.size(); i++) {
            if (f.match(CORPUS.get(i).adaptor())) {
                b.append(i);
            }
        }
        return b.toString();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', value = {
        "'' => 012345678",
        "name => 012345678",
        "labels.foo => 028",
        "labels.foo,name => 028",
        "labels.foo==true => 0",
        "labels.foo==omg_asdf.asdf-qwer => 8",
        "name==bar => 13",
        "name!=bar => 0245678",
        "name==bar,labels.bar => 3",
        "other==\"too complex, yo\" => 6",
        "other~=[abc]+,name!=foo => 67",
        "other~=/[abc]+/,name!=foo => 67",
        "other~=/[abc]{1,2}/,name!=foo => 67",
        "name==bar,labels.bar==true => 3",
        "name==bar,labels.bar==wrong => ''",
        "name==foo,labels.\"more complex label\" => 2",
        "labels.\"more complex label with \\\\ and \\\"\"==present => 4",
        "labels.\"more complex label with \\\\ and \\\"\".post==present => 5",
        "other~=|too complex| => 6",
    })
    void matchesLikeContainerd(String filter, String expected) {
        assertEquals(expected.strip(), matches(filter.strip()), filter);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', value = {
        "labels.|foo|==omg_asdf.asdf-qwer => filters: parse error: [labels. >|||< foo|==omg_asdf.asdf-qwer]: invalid quote encountered",
        "name==foo, => filters: parse error: [name==foo,]: expected field or quoted",
        "labels. => filters: parse error: [labels.]: expected field or quoted",
        "image~=,id?=?fbaq => filters: parse error: [image~= >|,|< id?=?fbaq]: expected value or quoted",
        "labels.ns/key==value => filters: parse error: [labels.ns >|/|< key==value]: quoted literal not terminated",
        "labels.key==/value => filters: parse error: [labels.key== >|/|< value]: quoted literal not terminated",
        "badfilter== => filters: parse error: [badfilter==]: expected value or quoted",
        "labels.?\"x\"==present => filters: parse error: [labels. >|?|< \"x\"==present]: expected field or quoted",
    })
    void rejectsLikeContainerd(String filter, String message) {
        ContainerdException e = assertThrows(ContainerdException.class, () -> Filters.parse(filter.strip()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals(message.strip() + ": invalid argument", e.getMessage());
    }

    @Test
    void anyOfSeveralFilters() {
        Filter f = Filters.parseAny(List.of("name==bar", "labels.foo==true"));
        String got = CORPUS.stream().filter(e -> f.match(e.adaptor())).map(Entry::name).collect(Collectors.joining(","));
        assertEquals("foo,bar,bar", got);
        assertEquals(CORPUS.size(), CORPUS.stream().filter(e -> Filters.parseAny(List.of()).match(e.adaptor())).count());
    }

    @Test
    void regexIsUnanchoredAndQuotedTopicsWork() {
        Adaptor topic = p -> p.equals(List.of("topic")) ? "/tasks/exit" : null;
        assertEquals(true, Filters.parse("topic~=|^/tasks/|").match(topic));
        assertEquals(true, Filters.parse("topic~=tasks").match(topic));
        assertEquals(false, Filters.parse("topic~=|^/containers/|").match(topic));
        assertEquals(true, Filters.parse("topic==\"/tasks/exit\"").match(topic));
    }
}
