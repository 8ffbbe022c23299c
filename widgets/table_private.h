/* table_private.h: the table's state, shared by table.c (index, selection,
 * ticks) and table_draw.c (layout and painting). Nothing else includes it. */
#ifndef VIGIE_WIDGETS_TABLE_PRIVATE_H
#define VIGIE_WIDGETS_TABLE_PRIVATE_H

#include "widgets/table.h"

struct table_flash {
    uint64_t id;
    unsigned ticks;
};

struct table {
    struct widget base; /* first: a struct widget * is a struct table * */
    struct table_column *columns;
    size_t column_count;
    int *column_x, *column_width;
    size_t shown_columns;
    bool has_live_column;
    struct table_source source;
    struct table_style style;
    table_filter_fn filter;
    void *filter_context;
    char *empty_text;

    size_t *visible; /* source row numbers, filtered and sorted */
    size_t visible_count, capacity;
    bool index_stale, order_stale;
    bool sorted, descending;
    size_t sort_column;

    bool has_selection;
    uint64_t selected_id;
    size_t selected, top;

    bool rows_dirty, live_dirty;
    unsigned char *line_dirty; /* one per data line on screen */
    int line_capacity;

    struct table_flash flashes[TABLE_FLASH_MAX];
    size_t flash_count;
    char cell_a[TABLE_CELL_MAX], cell_b[TABLE_CELL_MAX];
};

/* Data lines below the titles. */
int table_page_rows(const struct table *table);
/* Brings the index of visible rows up to date; cheap when nothing changed. */
void table_refresh_index(struct table *table);
/* The widget's draw operation. */
void table_draw_op(struct widget *widget);

#endif
