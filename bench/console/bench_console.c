/* bench_console.c: the operator's console with 100,000 open alarms, end to
 * end on loopback: the real vigie under a pseudo-terminal this program
 * owns, against a real vigied. It measures the time to the first full
 * screen, a forced full redraw (Ctrl-L), each keystroke of a "/" filter,
 * the console's peak memory, and the bytes it writes to the terminal per
 * second while vigie-sim delivers 100 alarms/s over DC-09 (what a slow SSH
 * link must carry), at 200x50 and at 80x24. Everything is seen from the
 * terminal's side: no key is sent that the measure does not need. Prints
 * the machine, the figures with their targets, and exits 0 when every
 * phase ran (a target missed is a finding, not a failure), 1 when
 * something could not run. A program, not a test: `make check` does not
 * run it. */
#include "server/store.h"
#include "server/store_accounts.h"
#include "common/clock.h"
#include "tests/lib/harness.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "bench/console/vt_screen.c"
#include "bench/console/alarms_prepare.c"
#include "bench/console/console_pty.c"
#include "bench/console/server_list.c"

/* The targets. KB is 1,000 bytes. */
#define TARGET_FIRST_SCREEN_MS 300.0
#define TARGET_REDRAW_MS       5.0
#define TARGET_FILTER_MS       30.0
#define TARGET_PEAK_MIB        64.0
#define TARGET_BYTES_PER_S     20000.0

/* Bounds of each phase. */
#define FIRST_SCREEN_TIMEOUT_MS 60000 /* 100,000 alarms over loopback */
#define REDRAWS                 20
#define KEY_TIMEOUT_MS          10000
#define QUIET_SECONDS           3
#define LOAD_SECONDS            10
#define LOAD_RATE               100
#define CATCH_UP_TIMEOUT_MS     30000
/* A burst of output ends at the first silence this long: ncurses writes a
 * frame in consecutive write()s microseconds apart. */
#define BURST_GAP_MS 15
/* Before a key, the console must have been silent this long. */
#define SETTLE_MS         40
#define SETTLE_TIMEOUT_MS 3000
/* The filter typed, one key at a time: a town in a tenth of the sites. */
static const char filter_pattern[] = "montreuil";
/* Keystrokes of the filter phase: "/", the pattern, as many Backspaces,
 * and Enter. */
#define FILTER_KEYS_MAX 64

#include "bench/console/phases.c"
#include "bench/console/report.c"

int main(int argc, char **argv)
{
    if (argc > 1) {
        bool help = strcmp(argv[1], "--help") == 0;
        fprintf(help ? stdout : stderr,
                "usage: bench_console\n"
                "Measures build/release/bin/vigie (or $VIGIE) against the vigied of $VIGIED\n"
                "(default build/release/bin/vigied); TMPDIR says where the database goes.\n");
        return help ? 0 : 2;
    }
    setlocale(LC_ALL, "C.UTF-8"); /* the screen's text is UTF-8 */
    signal(SIGPIPE, SIG_IGN);
    if (!getenv("VIGIED") || !*getenv("VIGIED"))
        setenv("VIGIED", "build/release/bin/vigied", 1);
    char vigie[WORLD_PATH_MAX];
    console_program(vigie, sizeof vigie);
    int64_t begin = clock_monotonic_us();
    printf("Vigie console benchmark (bench/console/bench_console), loopback only\n");
    print_machine(vigie);
    fflush(stdout);
    double create_seconds = 0;
    struct world *world = centre_prepare(&create_seconds);
    if (!world) {
        printf("FAILED: cannot prepare vigied with %d alarms (see above)\n", PREPARE_ALARMS);
        return 1;
    }
    printf("centre:   %d open alarms created through the store in %.1f s (%d threads),\n"
           "          received over the last %lld min; vigied %s on %s\n",
           PREPARE_ALARMS, create_seconds, PREPARE_THREADS, PREPARE_SPREAD_MS / 60000,
           world->vigied, world->base_url);
    struct server_list served = server_list_read(world);
    fflush(stdout);
    static const int sizes[][2] = {{50, 200}, {24, 80}};
    struct launch launches[2];
    bool ok = true;
    for (int i = 0; i < 2; i++) {
        ok = launch_run(world, vigie, i, sizes[i][0], sizes[i][1], &launches[i]) && ok;
        fflush(stdout);
    }
    print_report(launches, 2, &served);
    bool stopped = world_destroy(world);
    if (!stopped)
        printf("vigied did not stop cleanly (see above)\n");
    char load[64];
    load_average(load, sizeof load);
    printf("\ntotal time %.1f s; load average now %s; %s\n",
           (double)(clock_monotonic_us() - begin) / 1e6, load,
           ok && stopped ? "every phase ran" : "SOME PHASES FAILED");
    return ok && stopped ? 0 : 1;
}
