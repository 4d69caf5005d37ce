/**
 * JMH benchmarks of the server's hot paths, each against the same path with the feature off
 * (run with {@code bench/jmh.sh}). {@code dev.gserver.SpawnBenchmark} lives in the core's package
 * to reach its package-private spawn and pool methods.
 */
package dev.gserver.benchmarks;
