/**
 * The authoritative DNS server on the network ({@code dns:} in the config): the UDP and TCP listener
 * ({@link io.switchboard.proxy.dns.DnsListener}) in front of the engine of {@code switchboard-dns},
 * and the conversion of the config's zones into the engine's specs
 * ({@link io.switchboard.proxy.dns.DnsZones}). What is answered is the engine's business; this
 * package only moves bytes on the event loops.
 */
package io.switchboard.proxy.dns;
