/* harness_agents.c: a registry for mass-alert tests (see harness_agents.h). */
#include "tests/lib/harness_agents.h"

#include <stdio.h>
#include <stdlib.h>

void agents_phone(int i, char out[16])
{
    snprintf(out, 16, "+336100%05d", i % 100000);
}

bool world_import_agents(struct world *world, int count)
{
    char path[WORLD_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/agents.csv", world->dir);
    FILE *file = fopen(path, "w");
    if (!file)
        return false;
    fprintf(file,
            "agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty\n");
    for (int i = 1; i <= count; i++) {
        char phone[16];
        agents_phone(i, phone);
        /* Spread over a square of about 400 m around the centre. */
        double lat = AGENTS_CENTRE_LAT + ((i % 37) - 18) * 0.0001;
        double lon = AGENTS_CENTRE_LON + ((i % 41) - 20) * 0.0001;
        fprintf(file, "A%d,Agent %d,S%d,Site %d,yes,%.6f,%.6f,%s,,yes,24/7\n", i, i, i / 10, i / 10,
                lat, lon, phone);
    }
    if (fclose(file) != 0)
        return false;
    char output[4096];
    int status = world_run(world, NULL, output, sizeof output, "agents", "import", path, "--db",
                           world->db, NULL);
    if (status != 0)
        fprintf(stderr, "# agents import: %s\n", output);
    return status == 0;
}
