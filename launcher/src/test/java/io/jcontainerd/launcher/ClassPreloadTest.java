package io.jcontainerd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassPreloadTest {
    @Test
    void theListIsGroupedByJarInItsOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("preload.classes");
        Files.writeString(file, "# from the training\n"
                + "b.jar x.B\n"
                + "a.jar x.A1\n"
                + "\n"
                + "b.jar x.B$1\n"
                + "a.jar   x.A2  \n");
        ClassPreload.Listing list = ClassPreload.read(file);
        assertEquals(List.of(), list.malformed());
        Map<String, List<String>> byJar = list.byJar();
        assertEquals(List.of("b.jar", "a.jar"), new ArrayList<>(byJar.keySet()));
        assertEquals(List.of("x.B", "x.B$1"), byJar.get("b.jar"));
        assertEquals(List.of("x.A1", "x.A2"), byJar.get("a.jar"));
    }

    @Test
    void noListMeansNothingToPreload(@TempDir Path dir) throws Exception {
        assertEquals(new ClassPreload.Listing(Map.of(), List.of()), ClassPreload.read(dir.resolve("preload.classes")));
    }

    @Test
    void aLineThatIsNotJarAndClassIsSetAsideAndTheRestStillLoads() {
        ClassPreload.Listing list = ClassPreload.parse(List.of("a.jar x.A extra", "a.jar x.B", "lonely", "b.jar x.C"));
        assertEquals(List.of("a.jar x.A extra", "lonely"), list.malformed());
        assertEquals(Map.of("a.jar", List.of("x.B"), "b.jar", List.of("x.C")), list.byJar());
    }

    @Test
    void classesThatCannotBeLoadedAreCountedAndSkipped() {
        List<String> asked = new ArrayList<>();
        ClassPreload.Counts counts = ClassPreload.load(ClassPreload.parse(List.of(
                "a.jar ok.One", "absent.jar x.Y", "a.jar gone.Class", "a.jar broken.Class", "a.jar ok.Two")).byJar(),
                (jar, name) -> {
                    asked.add(jar + " " + name);
                    if (jar.equals("absent.jar")) {
                        return false;
                    }
                    if (name.startsWith("gone.")) {
                        throw new ClassNotFoundException(name);
                    }
                    if (name.startsWith("broken.")) {
                        throw new NoClassDefFoundError("its superclass");
                    }
                    return true;
                });
        assertEquals(new ClassPreload.Counts(2, 3), counts);
        assertEquals(List.of("a.jar ok.One", "a.jar gone.Class", "a.jar broken.Class", "a.jar ok.Two", "absent.jar x.Y"),
                asked);
    }
}
