/**
 * The Netty data plane's outer layer: {@code ProxyServer} (listeners, event loops, transports),
 * {@code AccessLog} and the {@code ExchangeListener} callbacks that admin statistics hang on. May import
 * core and its own sub-packages; must not import {@code io.switchboard.admin} nor the app. Known cycle,
 * being broken: with {@code proxy.http}, which reports through {@code AccessLog} and {@code ExchangeListener},
 * and with {@code proxy.tcp}, whose sessions read {@code ProxyState}.
 */
package io.switchboard.proxy;
