/**
 * Direct server return: the nftables table that forwards a virtual address's packets to a pool's
 * servers by MAC address ({@link io.switchboard.app.dsr.NftRuleset}), how it is written atomically
 * ({@link io.switchboard.app.dsr.Nft}), where the servers' MACs come from
 * ({@link io.switchboard.app.dsr.Neighbours}), and the service that keeps it in step with the pool
 * ({@link io.switchboard.app.dsr.DsrService}). Imports the core and nothing of the proxy.
 */
package io.switchboard.app.dsr;
