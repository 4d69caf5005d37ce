package dev.gserver;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** A main class of the test class path, run in a JVM of its own, for what only a process shows. */
public final class ChildJvm implements AutoCloseable {

	private final Process process;

	private final BufferedReader out;

	private ChildJvm(Process process) {
		this.process = process;
		this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
	}

	public static ChildJvm start(Class<?> main, String... args) throws IOException {
		return start(List.of(), System.getProperty("java.class.path"), main, args);
	}

	/** Starts {@code main} with JVM options of its own, such as a heap size. */
	public static ChildJvm start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
		return start(jvmOptions, System.getProperty("java.class.path"), main, args);
	}

	/**
	 * Starts {@code main} on the test class path less every entry whose path contains
	 * {@code left}: what a user without that library has.
	 */
	public static ChildJvm startWithout(String left, Class<?> main, String... args) throws IOException {
		String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
			.filter((entry) -> !entry.contains(left))
			.collect(Collectors.joining(File.pathSeparator));
		return start(List.of(), classPath, main, args);
	}

	private static ChildJvm start(List<String> jvmOptions, String classPath, Class<?> main, String... args)
			throws IOException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.addAll(List.of("-cp", classPath, main.getName()));
		command.addAll(List.of(args));
		return new ChildJvm(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
	}

	/**
	 * Reads the child's output up to the line starting with {@code tag} (log lines come first),
	 * and returns the rest of that line.
	 */
	public String readTagged(String tag) throws IOException {
		String line;
		while ((line = this.out.readLine()) != null) {
			if (line.startsWith(tag)) {
				return line.substring(tag.length()).trim();
			}
		}
		throw new IllegalStateException("The child ended without printing '" + tag + "'");
	}

	/** Writes a line to the child's standard input. */
	public void send(String line) throws IOException {
		this.process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
		this.process.getOutputStream().flush();
	}

	/** Sends SIGTERM. ({@link Process#destroy()} would too, but it closes our end of the child's output.) */
	public void sigterm() throws IOException, InterruptedException {
		int status = new ProcessBuilder("kill", "-TERM", Long.toString(this.process.pid())).start().waitFor();
		if (status != 0) {
			throw new IllegalStateException("kill -TERM " + this.process.pid() + " exited with " + status);
		}
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	/** Waits for the child to end; returns its exit code, or -1 if it is still running after {@code seconds}. */
	public int waitFor(long seconds) throws InterruptedException {
		return this.process.waitFor(seconds, TimeUnit.SECONDS) ? this.process.exitValue() : -1;
	}

	@Override
	public void close() {
		this.process.destroyForcibly();
	}

}
