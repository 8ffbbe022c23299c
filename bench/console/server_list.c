/* server_list.c: vigied's share of the console's first screen. The bench
 * reads the open alarms the way the console does (GET /v1/alarms, pages
 * of 5000 by sequence, one keep-alive connection, each page asked for once
 * the previous one has come) but without parsing them: the time is the
 * server's and loopback's alone. Included by bench_console.c. */

/* The console's page size (console/client_internal.h, CLIENT_LIST_LIMIT). */
#define SERVER_LIST_LIMIT 5000
/* Pages read at most: 64 pages of 5000 is the console's own bound. */
#define SERVER_LIST_PAGES_MAX 64
/* A page of 5000 summaries is about 2 MB. */
#define SERVER_PAGE_MAX (32 * 1024 * 1024)

struct server_list {
    int pages;
    long long alarms_bytes;
    double seconds; /* the requests' own times, summed */
    double slowest; /* the slowest page */
    bool ok;
};

struct page_buffer {
    char *text;
    size_t length;
};

static size_t page_on_body(char *data, size_t size, size_t count, void *context)
{
    struct page_buffer *page = context;
    size_t length = size * count;
    if (page->length + length + 1 > SERVER_PAGE_MAX)
        return 0; /* larger than any page: the transfer fails */
    memcpy(page->text + page->length, data, length);
    page->length += length;
    page->text[page->length] = '\0';
    return length;
}

/* The sequence of the page's last alarm, where the next page starts;
 * 0 when the page says there is no more. */
static long long page_next_since(const char *text)
{
    if (!strstr(text, "\"more\":true"))
        return 0;
    const char *last = NULL;
    for (const char *at = strstr(text, "\"sequence\":"); at; at = strstr(at + 1, "\"sequence\":"))
        if (at == text || at[-1] != '_') /* not "last_sequence" */
            last = at;
    return last ? strtoll(last + strlen("\"sequence\":"), NULL, 10) : 0;
}

static struct server_list server_list_read(struct world *world)
{
    struct server_list result = {0};
    const char *token = login(world, bench_user, bench_password);
    struct page_buffer page = {.text = malloc(SERVER_PAGE_MAX)};
    CURL *curl = curl_easy_init();
    char authorization[300];
    snprintf(authorization, sizeof authorization, "Authorization: Bearer %s", token ? token : "");
    struct curl_slist *headers = curl_slist_append(NULL, authorization);
    if (!token || !page.text || !curl || !headers) {
        fprintf(stderr, "bench_console: cannot read the list from vigied (login or memory)\n");
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        free(page.text);
        return result;
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, page_on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &page);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
    long long since = 0;
    result.ok = true;
    while (result.ok && result.pages < SERVER_LIST_PAGES_MAX) {
        char url[256];
        snprintf(url, sizeof url, "%s/v1/alarms?state=open&limit=%d&since=%lld", world->base_url,
                 SERVER_LIST_LIMIT, since);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        page.length = 0;
        long status = 0;
        double seconds = 0;
        result.ok = curl_easy_perform(curl) == CURLE_OK &&
                    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
                    status == 200 &&
                    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &seconds) == CURLE_OK;
        if (!result.ok)
            break;
        result.pages++;
        result.alarms_bytes += (long long)page.length;
        result.seconds += seconds;
        result.slowest = seconds > result.slowest ? seconds : result.slowest;
        since = page_next_since(page.text);
        if (since == 0)
            break;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    free(page.text);
    return result;
}
