/**
 * An authoritative DNS engine over the bytes of one message: a strict query parser, zones whose
 * names answer with the healthy servers of a pool (rotated by weight), answers precomputed on every
 * change, and response rate limiting. No sockets and no Netty: the UDP/TCP listeners hand it a
 * datagram (or a TCP message without its length prefix) and send back what it writes. May import
 * only the JDK and {@code io.switchboard} core packages.
 */
package io.switchboard.dns;
