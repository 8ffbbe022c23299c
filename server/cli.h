/* cli.h: vigied's subcommands, one function each; main.c only dispatches.
 * Each returns the process exit status (documented in vigied(1)). */
#ifndef VIGIE_CLI_H
#define VIGIE_CLI_H

#include "server/config.h"

/* Exit statuses. */
#define CLI_EXIT_OK      0
#define CLI_EXIT_FAILURE 1 /* the command ran and failed (store error...) */
#define CLI_EXIT_USAGE   2 /* bad command line or configuration */
#define CLI_EXIT_AUDIT   3 /* audit verify found the chain broken */

/* Parses the options shared by every subcommand (--db, --listen,
 * --config, --node-name, --set key=value) starting at argv[*index];
 * unknown options are left for the subcommand. */
int cli_common_options(int argc, char **argv, struct server_config *config, int *index);

/* For subcommands: takes the common options wherever they stand and moves
 * the other arguments to the front; returns their count, -1 on error. */
int cli_split_options(int argc, char **argv, struct server_config *config);

/* Opens the store for an administrator's command, printing why not. */
struct store;
int cli_open_store(const struct server_config *config, bool create, struct store **out);

int cli_serve(struct server_config *config);
int cli_init(struct server_config *config, int argc, char **argv);
int cli_user(struct server_config *config, int argc, char **argv);
int cli_audit(struct server_config *config, int argc, char **argv);
int cli_account(struct server_config *config, int argc, char **argv);
int cli_panel(struct server_config *config, int argc, char **argv);
int cli_device(struct server_config *config, int argc, char **argv);
int cli_agents(struct server_config *config, int argc, char **argv);
/* `vigied mail-in`: its exit status is sysexits.h's (cli_mail_in.c). */
int cli_mail_in(struct server_config *config, int argc, char **argv);
int cli_vapid(struct server_config *config, int argc, char **argv);

#endif
