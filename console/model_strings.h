/* model_strings.h: the texts of the alarms the console holds (site,
 * place, class, label, state, who handles it...), each distinct text kept
 * once for the life of the process (interned). A hundred thousand alarms
 * share a few thousand texts: the directory's sites, places and victims'
 * references, the event table's classes and labels, the users' names.
 * Texts are never freed, so a copy of a struct console_alarm, or a
 * pointer to one of its texts, stays valid whatever the model does later;
 * two equal texts are the same pointer. Single-threaded, as the console. */
#ifndef VIGIE_CONSOLE_MODEL_STRINGS_H
#define VIGIE_CONSOLE_MODEL_STRINGS_H

#include <stddef.h>

/* The pool's copy of text (length bytes, no NUL needed), NUL-terminated;
 * NULL when memory is short. An empty text is always "". */
const char *model_strings_intern(const char *text, size_t length);
/* Bytes the pool holds (texts and their index), for the log and tests. */
size_t model_strings_bytes(void);

#endif
