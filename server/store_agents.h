/* store_agents.h: the registry of security agents and their sites, whom a
 * geographic mass alert may reach. An import is one transaction: all the
 * file or nothing. Importing the same file again changes nothing (no row,
 * no audit entry). Agents absent from a file are left as they are: one
 * file is often one employer's. Sites the registry adds belong to the
 * "registry" client, apart from the centre's customers. */
#ifndef VIGIE_STORE_AGENTS_H
#define VIGIE_STORE_AGENTS_H

#include <stdint.h>

#include "server/agents_csv.h"
#include "server/store.h"

struct store_agents_import_report {
    int64_t agents_added, agents_changed, agents_unchanged;
    int64_t sites_added, sites_changed;
};

struct store_agents_import {
    const struct agents_csv *csv; /* checked: no problem left */
    const char *source;           /* the file's name, for the audit */
    const char *digest;           /* its SHA-256 in hex, for the audit */
    const char *default_tz;       /* a site's zone when the file has no tz */
};

int store_agents_import(struct store *store, const struct actor *actor,
                        const struct store_agents_import *import,
                        struct store_agents_import_report *report, struct store_error *error);

#endif
