/* i18n.h: every user-visible string goes through _() so that a French and
 * an English interface come from the same code (gettext catalogues). */
#ifndef VIGIE_I18N_H
#define VIGIE_I18N_H

#include <libintl.h>

#define VIGIE_TEXT_DOMAIN "vigie"
#ifndef VIGIE_LOCALEDIR
#define VIGIE_LOCALEDIR "/usr/local/share/locale"
#endif
#define _(text)  dgettext(VIGIE_TEXT_DOMAIN, text)
#define N_(text) text
/* A count's sentence: P_("%zu agent", "%zu agents", n). */
#define P_(singular, plural, count) dngettext(VIGIE_TEXT_DOMAIN, singular, plural, count)

/* Binds the text domain to the catalogues (i18n_locale_dir); call once
 * in main, before any thread starts. */
void i18n_init(void);
/* Where the catalogues are: LOCALE/LANG/LC_MESSAGES/vigie.mo under the
 * directory `locale` beside the program's own directory when it runs
 * from a build tree, else VIGIE_LOCALEDIR (the installed ones). */
const char *i18n_locale_dir(void);

#endif
