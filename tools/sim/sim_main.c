/* sim_main.c: vigie-sim's entry point: one subcommand per simulator. */
#include "tools/sim/sim.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    i18n_init();
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"dc09", sim_command_dc09},
        {"load", sim_command_load},
        {"phone", sim_command_phone},
        {"panel", sim_command_panel},
        {"demo", sim_command_demo},
        {"gateway", sim_command_gateway}, /* a comment keeps one command a line */
        {"push-service", sim_command_push_service},
        {"agents", sim_command_agents},
    };
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("vigie-sim %s\n", VIGIE_VERSION);
        return SIM_EXIT_OK;
    }
    for (size_t i = 0; argc > 1 && i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "%s",
            _("usage: vigie-sim dc09|load|panel|phone|demo|gateway|push-service|agents ...\n"
              "  (vigie-sim COMMAND --help; see vigie-sim(1))\n"));
    return SIM_EXIT_USAGE;
}
