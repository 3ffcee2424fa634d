/**
 * JMH benchmarks of the DNS engine ({@code switchboard-dns}) against the two libraries issue #16
 * named as candidates: Netty's DNS codec and dnsjava. The only package of the benchmarks that
 * imports Netty or dnsjava, and only to measure them.
 */
package io.switchboard.bench.dns;
