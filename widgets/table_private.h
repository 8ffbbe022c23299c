/* table_private.h: the table's state, shared by table.c (selection,
 * ticks), table_index.c (the sorted, filtered index and its incremental
 * changes) and table_draw.c (layout and painting). Nothing else includes
 * it. */
#ifndef VIGIE_WIDGETS_TABLE_PRIVATE_H
#define VIGIE_WIDGETS_TABLE_PRIVATE_H

#include "widgets/table.h"

struct table_flash {
    uint64_t id;
    unsigned ticks;
};

/* One row of the index: its number in the source, and its id, so that a
 * row can be found after it left the source. */
struct table_entry {
    size_t row;
    uint64_t id;
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

    struct table_entry *order; /* every source row, sorted (source order unsorted) */
    size_t order_count, order_capacity;
    struct table_entry *kept; /* the rows the filter keeps, in order */
    size_t kept_count, kept_capacity;
    unsigned char *marks; /* by source row: kept or not, during a filter pass */
    size_t marks_capacity;
    struct table_entry *visible; /* order, or kept when a filter is set */
    size_t visible_count;
    bool index_stale;  /* order is rebuilt from the source, sorted, filtered */
    bool order_stale;  /* order is sorted again, then filtered */
    bool filter_stale; /* kept is filtered again from order */
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
/* table.c: after the index was rebuilt: the selection keeps its row when
 * it is still visible, its place otherwise; the view's top follows. */
void table_restore_selection(struct table *table, size_t old_line, bool at_head);
/* table.c: the screen line of the selection (0 when it is off screen). */
size_t table_selected_line(const struct table *table);
/* table.c: marks one visible row's line for repainting. */
void table_mark_line(struct table *table, size_t index);
/* table_index.c */
void table_index_free(struct table *table);
/* The widget's draw operation. */
void table_draw_op(struct widget *widget);

#endif
