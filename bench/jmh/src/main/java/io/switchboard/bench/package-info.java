/**
 * JMH benchmarks of core's hot-path decisions ({@code Picker.pick()} at many back ends), run by
 * {@code bench/jmh}; never by the test suite. Imports core only: no Netty, no proxy.
 */
package io.switchboard.bench;
