/* cli_agents.c: `vigied agents import FILE.csv`: the registry of security
 * agents whom a mass alert may reach, from the file their employers send.
 * Every bad line is reported with its number and why, and then nothing is
 * imported; a good file is imported whole, in one transaction. */
#include "server/agents_csv.h"
#include "server/cli.h"
#include "server/schedule.h"
#include "server/store_agents.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigied agents import FILE.csv [--region CC] [--tz ZONE] [--check]\n"
              "  FILE.csv: agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,"
              "vetted,duty[,tz]\n"));
}

struct import_options {
    const char *path;
    const char *region; /* national numbers are read in this country */
    const char *tz;     /* a site's time zone when the file has no tz column */
    bool check_only;
};

static bool parse_arguments(int argc, char **argv, const struct server_config *config,
                            struct import_options *options)
{
    options->region = config->centre_region;
    options->tz = config->centre_timezone;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0)
            options->check_only = true;
        else if (strcmp(argv[i], "--region") == 0 && i + 1 < argc)
            options->region = argv[++i];
        else if (strcmp(argv[i], "--tz") == 0 && i + 1 < argc)
            options->tz = argv[++i];
        else if (argv[i][0] != '-' && !options->path)
            options->path = argv[i];
        else
            return false;
    }
    return options->path != NULL;
}

static void print_problems(const char *path, const struct agents_csv *csv)
{
    for (size_t i = 0; i < csv->problem_count; i++)
        fprintf(stderr, "%s:%ld: %s\n", path, csv->problems[i].line, csv->problems[i].message);
    if (csv->problems_total > csv->problem_count)
        fprintf(stderr, _("%s: and %zu more problems\n"), path,
                csv->problems_total - csv->problem_count);
    fprintf(stderr,
            P_("%s: %zu problem: nothing imported\n", "%s: %zu problems: nothing imported\n",
               csv->problems_total),
            path, csv->problems_total);
}

static int import(const struct server_config *config, const struct import_options *options,
                  const struct agents_csv *csv)
{
    struct store *store = NULL;
    if (cli_open_store(config, false, &store) != CLI_EXIT_OK)
        return CLI_EXIT_FAILURE;
    struct actor actor;
    actor_system(&actor);
    snprintf(actor.username, sizeof actor.username, "cli");
    const char *name = strrchr(options->path, '/');
    struct store_agents_import request = {csv, name ? name + 1 : options->path, csv->sha256_hex,
                                          options->tz};
    struct store_agents_import_report report;
    struct store_error error = {{0}};
    int status = store_agents_import(store, &actor, &request, &report, &error);
    store_close(store);
    if (status != STORE_OK) {
        fprintf(stderr, "vigied: %s: %s\n", options->path, error.message);
        return CLI_EXIT_FAILURE;
    }
    printf(_("%s: %lld agents added, %lld changed, %lld unchanged; %lld sites added, %lld "
             "changed\n"),
           options->path, (long long)report.agents_added, (long long)report.agents_changed,
           (long long)report.agents_unchanged, (long long)report.sites_added,
           (long long)report.sites_changed);
    return CLI_EXIT_OK;
}

int cli_agents(struct server_config *config, int argc, char **argv)
{
    argc = cli_split_options(argc, argv, config);
    struct import_options options = {0};
    if (argc < 2 || strcmp(argv[0], "import") != 0 ||
        !parse_arguments(argc, argv, config, &options)) {
        usage();
        return CLI_EXIT_USAGE;
    }
    char why[SCHEDULE_ERROR_MAX];
    int weekday, minute;
    if (!schedule_local_time(options.tz, 0, &weekday, &minute, why, sizeof why)) {
        fprintf(stderr, _("vigied: --tz %s: %s\n"), options.tz, why);
        return CLI_EXIT_USAGE;
    }
    struct agents_csv csv;
    if (!agents_csv_read(options.path, options.region, &csv, why, sizeof why)) {
        fprintf(stderr, "vigied: %s\n", why);
        return CLI_EXIT_FAILURE;
    }
    int status = CLI_EXIT_OK;
    if (csv.problems_total > 0) {
        print_problems(options.path, &csv);
        status = CLI_EXIT_FAILURE;
    } else if (options.check_only) {
        printf(P_("%s: %zu agent, no problem\n", "%s: %zu agents, no problem\n", csv.count),
               options.path, csv.count);
    } else {
        status = import(config, &options, &csv);
    }
    agents_csv_free(&csv);
    return status;
}
