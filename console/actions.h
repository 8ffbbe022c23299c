/* actions.h: every action an operator can ask of the console, in one
 * table: its name (used in keymap files and on the command line), its help
 * text (the ? screen and vigie-keys(5)), the screens it applies to and
 * whether it changes data (refused in read-only mode). Keys never reach a
 * screen: the keymap turns them into these actions first. */
#ifndef VIGIE_ACTIONS_H
#define VIGIE_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* The contexts a key can be bound in. "global" bindings apply on every
 * screen that does not bind the same key itself. */
enum action_screen {
    ACTION_SCREEN_GLOBAL,
    ACTION_SCREEN_QUEUE,
    ACTION_SCREEN_DETAIL,
    ACTION_SCREEN_VICTIM,
    ACTION_SCREEN_MAP,
    ACTION_SCREEN_PROCEDURES,
    ACTION_SCREEN_MASSALERT,
    ACTION_SCREEN_HELP,
    ACTION_SCREEN_COUNT
};

#define ACTION_ON(screen) (1u << ACTION_SCREEN_##screen)
/* Applies everywhere: the action is listed under "global" in the help. */
#define ACTION_ON_EVERY ((1u << ACTION_SCREEN_COUNT) - 1u)
/* Screens showing a list or a text that scrolls. */
#define ACTION_ON_LISTS                                                                            \
    (ACTION_ON(QUEUE) | ACTION_ON(DETAIL) | ACTION_ON(VICTIM) | ACTION_ON(PROCEDURES) |            \
     ACTION_ON(MASSALERT) | ACTION_ON(HELP))
/* Screens that show text one can search. */
#define ACTION_ON_TEXTS                                                                            \
    (ACTION_ON(QUEUE) | ACTION_ON(DETAIL) | ACTION_ON(VICTIM) | ACTION_ON(PROCEDURES) |            \
     ACTION_ON(HELP))
/* Screens about one alarm (or the queue's selected alarm). */
#define ACTION_ON_ALARM                                                                            \
    (ACTION_ON(QUEUE) | ACTION_ON(DETAIL) | ACTION_ON(VICTIM) | ACTION_ON(MAP) |                   \
     ACTION_ON(PROCEDURES))
/* Screens that draw a map. */
#define ACTION_ON_MAPS (ACTION_ON(MAP) | ACTION_ON(MASSALERT))

/* Flags. */
#define ACTION_READS   0u
#define ACTION_MUTATES 1u /* changes data on the server: refused when read-only */

/* X(ID, "name", screens, flags, help). The help is a short imperative
 * sentence, translated when displayed. Order here is the order of the ?
 * help and of vigie-keys(5). */
#define ACTION_TABLE(X)                                                                            \
    X(QUIT, "quit", ACTION_ON_EVERY, ACTION_READS, N_("Quit the console"))                         \
    X(HELP, "help", ACTION_ON_EVERY, ACTION_READS, N_("Show the keys of the current screen"))      \
    X(COMMAND_LINE, "command-line", ACTION_ON_EVERY, ACTION_READS,                                 \
      N_("Type an action by its name (Tab completes)"))                                            \
    X(BACK, "back", ACTION_ON_EVERY, ACTION_READS,                                                 \
      N_("Go back to the previous screen, or cancel"))                                             \
    X(ALARMS, "alarms", ACTION_ON_EVERY, ACTION_READS, N_("Show the queue of open alarms"))        \
    X(CLOSED, "closed", ACTION_ON_EVERY, ACTION_READS, N_("Show the closed alarms"))               \
    X(REFRESH, "refresh", ACTION_ON_EVERY, ACTION_READS, N_("Reload everything from the server"))  \
    X(REDRAW, "redraw", ACTION_ON_EVERY, ACTION_READS, N_("Repaint the whole terminal"))           \
    X(SAVE_DISPLAY, "save-display", ACTION_ON_EVERY, ACTION_READS,                                 \
      N_("Write the screen as text to a file, for a report"))                                      \
    X(MOVE_UP, "move-up", ACTION_ON_LISTS, ACTION_READS, N_("Move the selection up one line"))     \
    X(MOVE_DOWN, "move-down", ACTION_ON_LISTS, ACTION_READS,                                       \
      N_("Move the selection down one line"))                                                      \
    X(PAGE_UP, "page-up", ACTION_ON_LISTS, ACTION_READS, N_("Move up one page"))                   \
    X(PAGE_DOWN, "page-down", ACTION_ON_LISTS, ACTION_READS, N_("Move down one page"))             \
    X(FIRST, "first", ACTION_ON_LISTS, ACTION_READS, N_("Go to the first line"))                   \
    X(LAST, "last", ACTION_ON_LISTS, ACTION_READS, N_("Go to the last line"))                      \
    X(OPEN, "open", ACTION_ON(QUEUE) | ACTION_ON(HELP), ACTION_READS,                              \
      N_("Open the selected alarm, or run the selected action"))                                   \
    X(FILTER, "filter", ACTION_ON_TEXTS, ACTION_READS,                                             \
      N_("Show only the lines matching a pattern"))                                                \
    X(NEXT_MATCH, "next-match", ACTION_ON_TEXTS, ACTION_READS,                                     \
      N_("Go to the next line matching the pattern"))                                              \
    X(PREVIOUS_MATCH, "previous-match", ACTION_ON_TEXTS, ACTION_READS,                             \
      N_("Go to the previous line matching the pattern"))                                          \
    X(SORT_NEXT, "sort-next", ACTION_ON(QUEUE), ACTION_READS, N_("Sort by the next column"))       \
    X(SORT_REVERSE, "sort-reverse", ACTION_ON(QUEUE), ACTION_READS, N_("Reverse the sort order"))  \
    X(TOGGLE_CLOSED, "toggle-closed", ACTION_ON(QUEUE), ACTION_READS,                              \
      N_("Switch between the open and the closed alarms"))                                         \
    X(CLAIM, "claim", ACTION_ON_ALARM, ACTION_MUTATES,                                             \
      N_("Claim the alarm: you handle it, other operators see it"))                                \
    X(RELEASE, "release", ACTION_ON_ALARM, ACTION_MUTATES,                                         \
      N_("Release your claim so another operator can take the alarm"))                             \
    X(ACKNOWLEDGE, "acknowledge", ACTION_ON_ALARM, ACTION_MUTATES,                                 \
      N_("Acknowledge the alarm: it is being dealt with"))                                         \
    X(NOTE, "note", ACTION_ON_ALARM, ACTION_MUTATES, N_("Add a note to the alarm's log"))          \
    X(CLOSE, "close", ACTION_ON_ALARM, ACTION_MUTATES, N_("Close the alarm, with its outcome"))    \
    X(ESCALATE, "escalate", ACTION_ON_ALARM, ACTION_MUTATES,                                       \
      N_("Escalate the alarm to the police or emergency services (asks first)"))                   \
    X(VICTIM_FILE, "victim-file", ACTION_ON_ALARM, ACTION_READS,                                   \
      N_("Open the victim's file of the alarm"))                                                   \
    X(MAP, "map", ACTION_ON_ALARM, ACTION_READS, N_("Show the alarm's position on the map"))       \
    X(PROCEDURES, "procedures", ACTION_ON_ALARM, ACTION_READS,                                     \
      N_("Show the procedure to follow for this alarm"))                                           \
    X(MASS_ALERT, "mass-alert", ACTION_ON(QUEUE) | ACTION_ON(DETAIL) | ACTION_ON(MAP),             \
      ACTION_READS, N_("Prepare a mass alert to the agents around the alarm"))                     \
    X(COPY_LOCATION, "copy-location", ACTION_ON(DETAIL) | ACTION_ON(VICTIM) | ACTION_ON(MAP),      \
      ACTION_READS, N_("Copy the alarm's coordinates to the clipboard"))                           \
    X(ARM_AWAY, "arm-away", ACTION_ON(DETAIL), ACTION_MUTATES,                                     \
      N_("Arm the site's alarm panel fully (nobody on site)"))                                     \
    X(ARM_STAY, "arm-stay", ACTION_ON(DETAIL), ACTION_MUTATES,                                     \
      N_("Arm the site's perimeter only (people inside)"))                                         \
    X(DISARM, "disarm", ACTION_ON(DETAIL), ACTION_MUTATES, N_("Disarm the site's alarm panel"))    \
    X(BYPASS_ZONE, "bypass-zone", ACTION_ON(DETAIL), ACTION_MUTATES,                               \
      N_("Bypass the alarm's zone until the panel is next disarmed"))                              \
    X(CHECK_STEP, "check-step", ACTION_ON(PROCEDURES), ACTION_MUTATES,                             \
      N_("Mark the selected step done, or not done"))                                              \
    X(SKIP_STEP, "skip-step", ACTION_ON(PROCEDURES), ACTION_MUTATES,                               \
      N_("Mark the selected step skipped, with a note saying why"))                                \
    X(FAIL_STEP, "fail-step", ACTION_ON(PROCEDURES), ACTION_MUTATES,                               \
      N_("Mark the selected step failed, with a note saying what went wrong"))                     \
    X(ZOOM_IN, "zoom-in", ACTION_ON_MAPS, ACTION_READS, N_("Zoom the map in"))                     \
    X(ZOOM_OUT, "zoom-out", ACTION_ON_MAPS, ACTION_READS, N_("Zoom the map out"))                  \
    X(PAN_LEFT, "pan-left", ACTION_ON_MAPS, ACTION_READS, N_("Move the map west"))                 \
    X(PAN_RIGHT, "pan-right", ACTION_ON_MAPS, ACTION_READS, N_("Move the map east"))               \
    X(PAN_UP, "pan-up", ACTION_ON_MAPS, ACTION_READS, N_("Move the map north"))                    \
    X(PAN_DOWN, "pan-down", ACTION_ON_MAPS, ACTION_READS, N_("Move the map south"))                \
    X(RECENTER, "recenter", ACTION_ON_MAPS, ACTION_READS,                                          \
      N_("Centre the map on the alarm's position"))                                                \
    X(CIRCLE_GROW, "circle-grow", ACTION_ON(MASSALERT), ACTION_READS,                              \
      N_("Widen the alert circle"))                                                                \
    X(CIRCLE_SHRINK, "circle-shrink", ACTION_ON(MASSALERT), ACTION_READS,                          \
      N_("Narrow the alert circle"))                                                               \
    X(EDIT_MESSAGE, "edit-message", ACTION_ON(MASSALERT), ACTION_READS,                            \
      N_("Write the message the agents will receive"))                                             \
    X(SEND_ALERT, "send-alert", ACTION_ON(MASSALERT), ACTION_MUTATES,                              \
      N_("Send the mass alert to every agent in the circle"))                                      \
    X(SET_CENTRE, "set-centre", ACTION_ON(MASSALERT), ACTION_READS,                                \
      N_("Centre the circle on typed coordinates, a site or an alarm"))                            \
    X(SET_RADIUS, "set-radius", ACTION_ON(MASSALERT), ACTION_READS,                                \
      N_("Type the circle's radius (800 m, 3 km, 30 km...)"))                                      \
    X(TOGGLE_SMS, "toggle-sms", ACTION_ON(MASSALERT), ACTION_READS,                                \
      N_("Send the mass alert by SMS, or not"))                                                    \
    X(TOGGLE_EMAIL, "toggle-email", ACTION_ON(MASSALERT), ACTION_READS,                            \
      N_("Send the mass alert by e-mail, or not"))                                                 \
    X(TOGGLE_VOICE, "toggle-voice", ACTION_ON(MASSALERT), ACTION_READS,                            \
      N_("Send the mass alert by voice call, or not"))                                             \
    X(TOGGLE_PUSH, "toggle-push", ACTION_ON(MASSALERT), ACTION_READS,                              \
      N_("Send the mass alert by push notification, or not"))                                      \
    X(CHOOSE_TEMPLATE, "choose-template", ACTION_ON(MASSALERT), ACTION_READS,                      \
      N_("Choose the message's template and fill in its blanks"))                                  \
    X(TOGGLE_LANGUAGE, "toggle-language", ACTION_ON(MASSALERT), ACTION_READS,                      \
      N_("Switch the template between French and English"))                                        \
    X(MASS_ALERTS, "mass-alerts", ACTION_ON_EVERY, ACTION_READS,                                   \
      N_("Show the mass alerts sent, newest first, and follow one"))                               \
    X(TOGGLE_LIST, "toggle-list", ACTION_ON(MASSALERT), ACTION_READS,                              \
      N_("Show the replies or the recipients of the mass alert"))                                  \
    X(RELAY_REPLY, "relay-reply", ACTION_ON(MASSALERT), ACTION_MUTATES,                            \
      N_("Relay the selected reply into an alarm's log"))                                          \
    X(CANCEL_ALERT, "cancel-alert", ACTION_ON(MASSALERT), ACTION_MUTATES,                          \
      N_("Cancel the mass alert: what is not sent yet is not sent (asks first)"))                  \
    X(SAVE_REPORT, "save-report", ACTION_ON(MASSALERT), ACTION_READS,                              \
      N_("Write the mass alert's report (CSV) to a file"))

#define ACTION_ENUM(id, name, screens, flags, help) ACTION_##id,
enum action { ACTION_NONE, ACTION_TABLE(ACTION_ENUM) ACTION_COUNT };
#undef ACTION_ENUM

/* Longest action name plus NUL; checked by the unit tests. */
#define ACTION_NAME_SIZE 32

struct action_info {
    const char *name;
    const char *help; /* untranslated: pass through action_help() */
    unsigned screens; /* ACTION_ON() bits */
    unsigned flags;   /* ACTION_MUTATES */
};

/* NULL for ACTION_NONE or out of range. */
const struct action_info *action_info(enum action action);
/* "" for ACTION_NONE. */
const char *action_name(enum action action);
/* The help text in the operator's language. */
const char *action_help(enum action action);
bool action_mutates(enum action action);
/* Whether the action means something on screen. For ACTION_SCREEN_GLOBAL:
 * whether it applies on every screen. */
bool action_applies(enum action action, enum action_screen screen);
/* ACTION_NONE for an unknown name. */
enum action action_from_name(const char *name);

const char *action_screen_name(enum action_screen screen);
bool action_screen_from_name(const char *name, enum action_screen *screen);

/* Command-line completion: the actions applying on screen whose name
 * starts with prefix, in alphabetical order. Stores at most max of them in
 * matches and returns how many there are; fills common (if not NULL) with
 * the longest prefix they share, for Tab to insert. */
size_t action_complete(const char *prefix, enum action_screen screen, enum action matches[],
                       size_t max, char common[ACTION_NAME_SIZE]);

#endif
