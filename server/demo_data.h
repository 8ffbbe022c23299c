/* demo_data.h: the fictional dataset of `vigied init --demo`: clients and
 * sites around Paris, Nice and Brussels, panels and zones, keyholders,
 * procedures, protection-phone victims' files, vetted security agents,
 * and operator/supervisor accounts whose passwords are printed once. */
#ifndef VIGIE_DEMO_DATA_H
#define VIGIE_DEMO_DATA_H

#include <stddef.h>
#include <stdio.h>

#include "server/password.h"
#include "server/store.h"

/* Loads the dataset into an empty store; writes the demo accounts and
 * their passwords to `report`. Returns a store status. */
int demo_data_load(struct store *store, const struct password_cost *cost, FILE *report, char *error,
                   size_t error_size);

#endif
