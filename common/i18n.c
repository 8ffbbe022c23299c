/* i18n.c: gettext set-up shared by every program. The locale comes from
 * the environment (LANG, LC_ALL, LC_MESSAGES), so an operator's session
 * chooses French or English. The catalogues are the installed ones
 * (VIGIE_LOCALEDIR), or those `make` compiled beside a program run from
 * its build tree (build/KIND/bin/PROGRAM finds build/KIND/locale). */
#include "common/i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *i18n_locale_dir(void)
{
    static char beside_binary[PATH_MAX + 16];
    char executable[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (length > 0) {
        executable[length] = '\0';
        char *slash = strrchr(executable, '/');
        struct stat info;
        if (slash) {
            *slash = '\0';
            snprintf(beside_binary, sizeof beside_binary, "%s/../locale", executable);
            if (stat(beside_binary, &info) == 0 && S_ISDIR(info.st_mode))
                return beside_binary;
        }
    }
    return VIGIE_LOCALEDIR;
}

void i18n_init(void)
{
    setlocale(LC_ALL, "");
    bindtextdomain(VIGIE_TEXT_DOMAIN, i18n_locale_dir());
    bind_textdomain_codeset(VIGIE_TEXT_DOMAIN, "UTF-8");
}
