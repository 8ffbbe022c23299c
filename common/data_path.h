/* data_path.h: where a program finds one of the project's data files
 * (server/events.tsv, server/alert_templates.ini): the file an
 * environment variable names, else the installed copy (VIGIE_DATADIR),
 * else the source tree's seen from the working directory, else the source
 * tree's seen from a binary of the build tree (build/KIND/bin/PROGRAM), so
 * that `make demo`, the tests and an installed vigied all find it. */
#ifndef VIGIE_DATA_PATH_H
#define VIGIE_DATA_PATH_H

#include <stddef.h>

/* The first readable of those places for `name` (a file of server/);
 * `variable` may be NULL. When none is readable, the variable's value if
 * set, else the installed path, so that the error names what was looked
 * for. The result is a literal, the variable's value or `buffer`. */
const char *data_path_find(const char *name, const char *variable, char *buffer, size_t size);

#endif
