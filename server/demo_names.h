/* demo_names.h: the tables of the fictional demo dataset (places, streets,
 * names, clients, sites, action plans, victims' files). Every person and
 * company is invented; towns and streets are real so that maps look right.
 * demo_data.c turns these tables into rows. */
#ifndef VIGIE_DEMO_NAMES_H
#define VIGIE_DEMO_NAMES_H

#include <stddef.h>

#include "server/store_directory.h"

enum demo_region { DEMO_PARIS, DEMO_NICE, DEMO_BRUSSELS, DEMO_REGIONS };

struct demo_region_info {
    const char *country, *timezone;
    const char *landline_prefix, *mobile_prefix; /* E.164 prefixes */
    int landline_digits, mobile_digits;          /* digits after the prefix */
    const char *vetting_authority;               /* who vets sites and agents */
    const char *guard_company, *guard_domain;    /* the agents' employer */
    const char *const *streets;
    size_t street_count;
};
extern const struct demo_region_info demo_regions[DEMO_REGIONS];

struct demo_city {
    enum demo_region region;
    const char *name; /* with its postcode, as on an envelope */
    double lat, lon;
};
extern const struct demo_city demo_cities[];
extern const size_t demo_city_count;

extern const char *const demo_first_names[];
extern const size_t demo_first_name_count;
extern const char *const demo_last_names[];
extern const size_t demo_last_name_count;
extern const char *const demo_panel_models[];
extern const size_t demo_panel_model_count;
extern const char *const demo_availabilities[];
extern const size_t demo_availability_count;
extern const char *const demo_holdup_codes[];
extern const size_t demo_holdup_code_count;

/* One step of an action plan; a plan is a list ended by a NULL class. */
struct demo_step {
    const char *alarm_class, *action, *detail;
};

/* A plan step for one site (named as in demo_sites), overriding its
 * client's plan for the class. */
struct demo_site_step {
    const char *site;
    struct demo_step step;
};
extern const struct demo_site_step demo_site_steps[];
extern const size_t demo_site_step_count;

#define DEMO_ZONES_MAX 8
struct demo_client {
    struct store_client_new row;
    const char *schedule;              /* the opening hours of its sites */
    const char *zones[DEMO_ZONES_MAX]; /* zone names of its panels, in order */
    const struct demo_step *plan;
    int valuables; /* banks and jewellers: a hold-up code in the site notes */
};
extern const struct demo_client demo_clients[];
extern const size_t demo_client_count;

struct demo_site {
    size_t client, city;
    const char *name;
    int lone_worker; /* a lone worker with a panic device works there */
};
extern const struct demo_site demo_sites[];
extern const size_t demo_site_count;

extern const struct store_victim_new demo_victims[];
extern const size_t demo_victim_count;

#endif
