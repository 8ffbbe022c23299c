/* data_path.c: see data_path.h. */
#include "common/data_path.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The build tree's binaries live three levels below the source tree. */
static bool beside_binary(const char *name, char *buffer, size_t size)
{
    char executable[4096];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (length <= 0)
        return false;
    executable[length] = '\0';
    char *slash = strrchr(executable, '/');
    if (!slash)
        return false;
    *slash = '\0';
    int written = snprintf(buffer, size, "%s/../../../server/%s", executable, name);
    return written > 0 && (size_t)written < size && access(buffer, R_OK) == 0;
}

const char *data_path_find(const char *name, const char *variable, char *buffer, size_t size)
{
    const char *chosen = variable ? getenv(variable) : NULL;
    if (chosen && chosen[0] == '\0')
        chosen = NULL;
    if (chosen && access(chosen, R_OK) == 0)
        return chosen;
    snprintf(buffer, size, "%s/%s", VIGIE_DATADIR, name);
    if (access(buffer, R_OK) == 0)
        return buffer;
    snprintf(buffer, size, "server/%s", name);
    if (access(buffer, R_OK) == 0)
        return buffer;
    if (beside_binary(name, buffer, size))
        return buffer;
    if (chosen)
        return chosen;
    snprintf(buffer, size, "%s/%s", VIGIE_DATADIR, name);
    return buffer;
}
