/* i18n.h: every user-visible string goes through _() so that a French and
 * an English interface come from the same code (gettext catalogues). */
#ifndef VIGIE_I18N_H
#define VIGIE_I18N_H

#include <libintl.h>

#define VIGIE_TEXT_DOMAIN "vigie"
#define _(text)           dgettext(VIGIE_TEXT_DOMAIN, text)
#define N_(text)          text

#endif
