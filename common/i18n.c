/* i18n.c: gettext set-up shared by every program. The locale comes from
 * the environment (LANG, LC_ALL, LC_MESSAGES), so an operator's session
 * chooses French or English. */
#include "common/i18n.h"

#include <locale.h>

void i18n_init(void)
{
    setlocale(LC_ALL, "");
    bindtextdomain(VIGIE_TEXT_DOMAIN, VIGIE_LOCALEDIR);
    bind_textdomain_codeset(VIGIE_TEXT_DOMAIN, "UTF-8");
}
