/**
 * Direct server return as the admin API shows it: the table Switchboard last wrote to the kernel.
 * Plain records; the app computes and applies the table (Maglev: {@link io.switchboard.balance.Maglev}).
 */
package io.switchboard.dsr;
