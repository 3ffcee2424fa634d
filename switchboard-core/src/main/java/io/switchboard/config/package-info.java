/**
 * The validated configuration as immutable values ({@code SwitchboardConfig} and its parts) and the one
 * parser per value syntax ({@code DurationSyntax}, {@code SizeSyntax}, {@code HostPortSyntax},
 * {@code AdminStateSyntax}, {@code NameSyntax}, {@code Cidr}) shared by the config file, the admin API
 * and the command line. JDK only: no Netty, no YAML, no JSON, no DNS. May import {@code backend} for the
 * enums it names; must not import {@code balance}, {@code health}, {@code load} nor any other module.
 */
package io.switchboard.config;
