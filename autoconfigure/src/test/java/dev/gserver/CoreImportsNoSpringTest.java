package dev.gserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core (every package under {@code dev.gserver} but {@code dev.gserver.autoconfigure}) is
 * plain Java: none of its source files imports, or even mentions, {@code org.springframework}.
 * Spring is an optional dependency of this module, so a core class that used it would compile here
 * and fail for a plain-Java user at run time.
 */
class CoreImportsNoSpringTest {

	private static final String SPRING = "org.springframework";

	/** The main sources of this module; Maven runs the tests in the module's directory. */
	private static final Path MAIN_SOURCES = Path.of("src", "main", "java");

	@Test
	void noCoreSourceFileMentionsSpring() {
		Path sources = MAIN_SOURCES.toAbsolutePath();
		assertThat(sources.resolve("dev/gserver")).as("the core's sources, from %s", Path.of("").toAbsolutePath())
			.isDirectory();
		List<Path> core = coreSourceFiles(sources);
		// a check that reads nothing passes for nothing: the core has more than ten files
		assertThat(core).as("core source files under %s", sources).hasSizeGreaterThan(10);
		assertThat(mentionsOfSpring(core)).as("core source lines that mention %s", SPRING).isEmpty();
	}

	@Test
	void theCheckFindsSpringInAnyCorePackageButNotInTheAutoConfiguration(@TempDir Path sources) throws IOException {
		Path plain = write(sources, "dev/gserver/Plain.java", "package dev.gserver;\n\nclass Plain {\n}\n");
		Path imports = write(sources, "dev/gserver/proxy/Imports.java",
				"package dev.gserver.proxy;\n\nimport org.springframework.context.annotation.Bean;\n\nclass Imports {\n}\n");
		Path names = write(sources, "dev/gserver/Names.java",
				"package dev.gserver;\n\nclass Names {\n\tObject bean = org.springframework.util.StringUtils.class;\n}\n");
		write(sources, "dev/gserver/autoconfigure/Configured.java",
				"package dev.gserver.autoconfigure;\n\nimport org.springframework.context.annotation.Bean;\n\nclass Configured {\n}\n");
		write(sources, "dev/gserver/autoconfigure/nested/Deeper.java",
				"package dev.gserver.autoconfigure.nested;\n\nimport org.springframework.context.annotation.Bean;\n\nclass Deeper {\n}\n");
		write(sources, "dev/gserver/notes.txt", "org.springframework is not Java source\n");

		List<Path> core = coreSourceFiles(sources);
		assertThat(core).containsExactlyInAnyOrder(plain, imports, names);
		assertThat(mentionsOfSpring(core)).containsExactlyInAnyOrder(
				imports + ":3: import org.springframework.context.annotation.Bean;",
				names + ":4: Object bean = org.springframework.util.StringUtils.class;");
	}

	/** The Java source files under {@code sources}/dev/gserver, less those under dev/gserver/autoconfigure. */
	private static List<Path> coreSourceFiles(Path sources) {
		Path root = sources.resolve("dev/gserver");
		Path autoconfigure = root.resolve("autoconfigure");
		try (Stream<Path> files = Files.walk(root)) {
			return files.filter(Files::isRegularFile)
				.filter((file) -> file.getFileName().toString().endsWith(".java"))
				.filter((file) -> !file.startsWith(autoconfigure))
				.sorted()
				.collect(Collectors.toList());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Each line of {@code files} that mentions Spring, as {@code file:line: text}. */
	private static List<String> mentionsOfSpring(List<Path> files) {
		List<String> mentions = new ArrayList<>();
		for (Path file : files) {
			List<String> lines;
			try {
				lines = Files.readAllLines(file, StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			for (int i = 0; i < lines.size(); i++) {
				if (lines.get(i).contains(SPRING)) {
					mentions.add(file + ":" + (i + 1) + ": " + lines.get(i).trim());
				}
			}
		}
		return mentions;
	}

	private static Path write(Path sources, String file, String content) throws IOException {
		Path path = sources.resolve(file);
		Files.createDirectories(path.getParent());
		return Files.writeString(path, content, StandardCharsets.UTF_8);
	}

}
