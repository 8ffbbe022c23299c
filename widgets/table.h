/* table.h: a table over rows it never copies. A data source answers row
 * count, cell text, row id, attribute and order; the table keeps only an
 * index of its rows (sorted, then filtered) and formats the rows on
 * screen. A source that says which row changed (table_row_added,
 * _removed, _updated) costs a binary search and a move per change instead
 * of a sort of every row; a new filter walks the sorted index and sorts
 * nothing. */
#ifndef VIGIE_WIDGETS_TABLE_H
#define VIGIE_WIDGETS_TABLE_H

#include <stdint.h>

#include "widgets/cells.h"
#include "widgets/widget.h"

/* Bytes of one cell's text: a cell is never wider than the screen, and
 * 512 bytes hold a 170-column cell of 3-byte characters. */
#define TABLE_CELL_MAX 512
/* Rows flashing at once: flashes mark a few priority arrivals; past this
 * the flash that ends soonest gives way. */
#define TABLE_FLASH_MAX 32
/* What table_row_removed answers for a row it did not know. */
#define TABLE_NO_ROW SIZE_MAX

enum table_align { TABLE_ALIGN_LEFT, TABLE_ALIGN_RIGHT, TABLE_ALIGN_CENTER };

struct table_column {
    const char *title; /* UTF-8, already translated */
    int min_width;     /* columns always given (when the screen allows) */
    int max_width;     /* 0: no bound */
    int flex;          /* share of the width left over; 0: stays at min_width */
    enum table_align align;
    bool sortable;
    bool live; /* re-formatted on every table_tick (ages, countdowns) */
};

/* Rows are numbered 0..row_count-1 in the source's own order; ids stay
 * with a row when others are inserted, removed or re-sorted. */
struct table_source {
    void *context;
    size_t (*row_count)(void *context);
    uint64_t (*row_id)(void *context, size_t row);
    /* Writes the UTF-8 text of one cell into buffer (size bytes). */
    void (*cell_text)(void *context, size_t row, size_t column, char *buffer, size_t size);
    /* Attribute of a row that is neither selected nor flashing; 0 means the
     * style's row attribute. May be NULL. */
    attr_t (*row_attr)(void *context, size_t row);
    /* Order of two rows by a column (<0, 0, >0). NULL: the cell texts are
     * compared, which formats every row on each sort. */
    int (*compare)(void *context, size_t row_a, size_t row_b, size_t column);
    /* May be NULL, or false for a column: a number that orders rows by the
     * column as compare does, leaving ties to compare (key(a) < key(b)
     * only when compare(a, b) < 0). Sorting 100,000 rows by such keys is
     * several times faster than by compare alone. */
    bool (*sort_key)(void *context, size_t row, size_t column, uint64_t *key);
};

/* How the source numbered its rows again when one left. */
enum table_renumber {
    TABLE_RENUMBER_SHIFT,     /* the rows after it moved down by one (an array's erase) */
    TABLE_RENUMBER_LAST_MOVES /* its last row took its number (an unordered array) */
};

/* Attributes (A_* | COLOR_PAIR) the caller's theme chose. */
struct table_style {
    attr_t header;
    attr_t row;
    attr_t selected;
    attr_t flash;
};

/* Keeps a row when it returns true. */
typedef bool (*table_filter_fn)(void *filter_context, size_t row);

struct table;

/* The table starts with the whole window as its rectangle, the first line
 * for the titles. columns and source are copied; strings in them are not
 * and must outlive the table. NULL when memory is short. */
struct table *table_new(WINDOW *win, const struct charset *charset,
                        const struct table_column *columns, size_t column_count,
                        const struct table_source *source, const struct table_style *style);
void table_free(struct table *table);
struct widget *table_widget(struct table *table);

/* Shown on the first row when no row is visible. Copied. */
void table_set_empty_text(struct table *table, const char *text);

/* The source's rows were inserted, removed, re-ordered or edited. The index
 * is rebuilt at the next draw or query; the selection follows its row id. */
void table_rows_changed(struct table *table);
/* One row came: it is numbered row, and the rows from row on moved up by
 * one (none when it comes last). It takes its place in the order, and the
 * filter decides at once whether it is shown. */
void table_row_added(struct table *table, size_t row);
/* The row with this id left the source, renumbered as renumber says.
 * Returns the number the row had, or TABLE_NO_ROW when it was not one of
 * the source's rows (nothing changes) or the index is rebuilt anyway. */
size_t table_row_removed(struct table *table, uint64_t id, enum table_renumber renumber);
/* The row with this id changed (its number did not): it moves to its new
 * place in the order and is shown or hidden as the filter now says. */
void table_row_updated(struct table *table, uint64_t id);
/* Only the cells of this row changed: repaints its line if it is shown. */
void table_row_touched(struct table *table, uint64_t id);

/* NULL removes the filter. Call again (same function) when the filter's
 * parameters changed. The filter is asked about each row in the source's
 * order, not the table's. */
void table_set_filter(struct table *table, table_filter_fn keep, void *filter_context);

/* Changes a column's share of the width left over (as table_column's
 * flex); the columns are laid out again at the next draw. */
void table_set_column_flex(struct table *table, size_t column, int flex);

/* Returns -1 for a column that is not sortable or does not exist. */
int table_sort(struct table *table, size_t column, bool descending);
/* False when the table is in source order. */
bool table_sort_column(const struct table *table, size_t *column, bool *descending);

void table_select_move(struct table *table, long delta);
void table_select_page(struct table *table, int pages);
void table_select_first(struct table *table);
void table_select_last(struct table *table);
/* False when no visible row has this id. */
bool table_select_id(struct table *table, uint64_t id);
/* False when nothing is selected (no visible row). */
bool table_selected(struct table *table, size_t *row, uint64_t *id);
/* Rows passing the filter, and the selection's place among them. */
size_t table_visible_count(struct table *table);
size_t table_selected_position(struct table *table);

/* One clock tick: re-formats the live cells of the rows on screen, and
 * counts down flashes. */
void table_tick(struct table *table);
/* Shows the row with the flash attribute for the next ticks ticks. */
void table_flash(struct table *table, uint64_t id, unsigned ticks);

void table_draw(struct table *table);
/* Up/Down, PgUp/PgDn, Home/End. */
int table_handle_key(struct table *table, struct widget_key key);

#endif
