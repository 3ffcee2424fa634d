/**
 * The command line ({@code Main}, {@code run}, {@code check}, {@code demo}), the YAML config loader and
 * the wiring of every module into a running {@code Switchboard}, with reloads. The only package that
 * knows all the others; nothing may import it. Value syntaxes are core {@code config}'s, not its own.
 */
package io.switchboard.app;
