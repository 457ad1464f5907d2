package chconnect

import (
	"context"
	"runtime"

	"github.com/chconnect/chconnect-go/internal/capi"
)

// resultHandle owns the C side of a Rows: the result and the current block with its column
// handles. It is kept apart from Rows and Block, and points back to neither, so that its
// finalizer is not part of a reference cycle and runs once nothing uses the result any more.
type resultHandle struct {
	h    capi.Result
	blk  capi.Block
	cols []capi.Column // every column handle taken from blk, children included
	gen  uint64        // bumped whenever the current block is released
}

func (r *resultHandle) releaseBlock() {
	for _, c := range r.cols {
		capi.Chc_column_free(c)
	}
	r.cols = r.cols[:0]
	if r.blk != 0 {
		capi.Chc_block_free(r.blk)
		r.blk = 0
	}
	r.gen++
}

func (r *resultHandle) free() {
	r.releaseBlock()
	if r.h != 0 {
		capi.Chc_result_free(r.h)
		r.h = 0
	}
}

// Rows is the streamed result of Query: a sequence of blocks of columns. Iterate blocks with
// Next/Block, or rows with NextRow/Scan (not both). A Rows belongs to one goroutine at a time.
//
// Always Close a Rows (closing before the end aborts the transfer); a finalizer frees a
// forgotten one, but only whenever the garbage collector gets to it.
//
// Memory is bounded by one block: the Block returned by Block, its Columns and every buffer
// they hand out are valid until the next call to Next, NextRow or Close. Copy what must outlive
// that (the typed accessors already return copies).
type Rows struct {
	res     *resultHandle
	ctx     context.Context
	block   *Block
	err     error
	done    bool
	row     int // NextRow cursor in block
	queryID string
}

func newRows(ctx context.Context, h capi.Result) *Rows {
	res := &resultHandle{h: h}
	runtime.SetFinalizer(res, (*resultHandle).free)
	return &Rows{res: res, ctx: ctx, row: -1, queryID: capi.Chc_result_query_id(h)}
}

// Next reads the next block. It returns false at the end of the result or on an error (see Err).
// The context given to Query is checked before each block.
func (r *Rows) Next() bool {
	if r == nil || r.res == nil || r.done || r.err != nil {
		return false
	}
	r.block = nil
	r.row = -1
	r.res.releaseBlock()
	if r.res.h == 0 {
		r.err = errClosed("rows")
		return false
	}
	if err := ctxError(r.ctx); err != nil {
		r.err = err
		return false
	}
	var b capi.Block
	var e capi.Error
	err := check(capi.Chc_result_next(r.res.h, &b, &e), e)
	runtime.KeepAlive(r.res)
	if err != nil {
		r.err = err
		return false
	}
	if b == 0 {
		r.done = true
		return false
	}
	r.res.blk = b
	r.block = &Block{
		res:   r.res,
		gen:   r.res.gen,
		nrows: int(capi.Chc_block_row_count(b)),
		ncols: int(capi.Chc_block_column_count(b)),
	}
	r.block.cols = make([]*Column, r.block.ncols)
	return true
}

// Block returns the current block, or nil before the first Next and after the end.
func (r *Rows) Block() *Block {
	if r == nil {
		return nil
	}
	return r.block
}

// NextRow moves to the next row, reading blocks as needed (empty blocks are skipped). It
// returns false at the end or on an error (see Err).
func (r *Rows) NextRow() bool {
	if r == nil {
		return false
	}
	for {
		if r.block != nil && r.row+1 < r.block.nrows {
			r.row++
			return true
		}
		if !r.Next() {
			return false
		}
	}
}

// Scan copies the columns of the current row (after NextRow) into dest, one pointer per column.
// See Block.Scan for the accepted destinations.
func (r *Rows) Scan(dest ...any) error {
	if r == nil || r.block == nil || r.row < 0 {
		return errorf(StatusInvalidState, "Scan called without a current row (call NextRow first)")
	}
	return r.block.Scan(r.row, dest...)
}

// Values returns the current row (after NextRow) as Go values (see Column.Value).
func (r *Rows) Values() ([]any, error) {
	if r == nil || r.block == nil || r.row < 0 {
		return nil, errorf(StatusInvalidState, "Values called without a current row (call NextRow first)")
	}
	return r.block.Values(r.row)
}

// Err returns the error that ended the iteration, nil at a clean end.
func (r *Rows) Err() error {
	if r == nil {
		return nil
	}
	return r.err
}

// QueryID returns the query id of the request ("" if neither the server nor the request set one).
func (r *Rows) QueryID() string {
	if r == nil {
		return ""
	}
	return r.queryID
}

// Summary returns one numeric field of the X-ClickHouse-Summary header and whether the server
// sent it (servers before 19.x send none).
func (r *Rows) Summary(field string) (int64, bool) {
	if r == nil || r.res == nil || r.res.h == 0 {
		return 0, false
	}
	var v int64
	var e capi.Error
	st := capi.Chc_result_summary(r.res.h, field, &v, &e)
	runtime.KeepAlive(r.res)
	if st != capi.CHC_OK {
		capi.Chc_error_free(e)
		return 0, false
	}
	return v, true
}

// Close frees the result and the current block, aborting the transfer if it was not read to the
// end. Close is idempotent and returns nil.
func (r *Rows) Close() error {
	if r == nil || r.res == nil {
		return nil
	}
	r.block = nil
	r.res.free()
	runtime.SetFinalizer(r.res, nil)
	r.done = true
	return nil
}

// Block is one block of a result: columns of equal length. It is valid until the next call to
// Next, NextRow or Close on its Rows; after that its methods fail with ErrInvalidState.
type Block struct {
	res   *resultHandle
	gen   uint64
	nrows int
	ncols int
	cols  []*Column
}

func (b *Block) valid() bool { return b != nil && b.res != nil && b.res.gen == b.gen && b.res.blk != 0 }

// NumRows returns the number of rows of the block.
func (b *Block) NumRows() int {
	if b == nil {
		return 0
	}
	return b.nrows
}

// NumColumns returns the number of columns of the block.
func (b *Block) NumColumns() int {
	if b == nil {
		return 0
	}
	return b.ncols
}

// Column returns column i.
func (b *Block) Column(i int) (*Column, error) {
	if !b.valid() {
		return nil, errClosed("block")
	}
	if i < 0 || i >= b.ncols {
		return nil, errorf(StatusInvalidArgument, "column index %d out of range (block has %d columns)", i, b.ncols)
	}
	if c := b.cols[i]; c != nil {
		return c, nil
	}
	var h capi.Column
	var e capi.Error
	err := check(capi.Chc_block_column(b.res.blk, int64(i), &h, &e), e)
	if err != nil {
		return nil, err
	}
	b.res.cols = append(b.res.cols, h)
	c, err := newColumn(b, h, nil)
	if err != nil {
		return nil, err
	}
	b.cols[i] = c
	return c, nil
}

// Columns returns every column of the block.
func (b *Block) Columns() ([]*Column, error) {
	cols := make([]*Column, 0, b.NumColumns())
	for i := 0; i < b.NumColumns(); i++ {
		c, err := b.Column(i)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, nil
}

// ColumnByName returns the first column named name; ErrNotFound if there is none.
func (b *Block) ColumnByName(name string) (*Column, error) {
	for i := 0; i < b.NumColumns(); i++ {
		c, err := b.Column(i)
		if err != nil {
			return nil, err
		}
		if c.name == name {
			return c, nil
		}
	}
	return nil, errorf(StatusNotFound, "no column named %q", name)
}

// Names returns the column names.
func (b *Block) Names() ([]string, error) {
	cols, err := b.Columns()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return names, nil
}

// Values returns one row as Go values (see Column.Value).
func (b *Block) Values(row int) ([]any, error) {
	cols, err := b.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]any, len(cols))
	for i, c := range cols {
		if vals[i], err = c.Value(row); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

// Scan copies one row into dest, one pointer per column. Accepted destinations: *any; *T for the
// column's Go type (see Type.GoType) and for any numeric type the value fits in; *string and
// *[]byte for String and FixedString; *time.Time for Date and DateTime; **T or *T for Nullable
// (a NULL needs a pointer, slice or interface destination); *[]T for Array; values implementing
// sql.Scanner (Scan(src any) error).
func (b *Block) Scan(row int, dest ...any) error {
	if !b.valid() {
		return errClosed("block")
	}
	if len(dest) != b.ncols {
		return errorf(StatusInvalidArgument, "Scan: %d destinations for %d columns", len(dest), b.ncols)
	}
	for i := range dest {
		c, err := b.Column(i)
		if err != nil {
			return err
		}
		v, err := c.Value(row)
		if err != nil {
			return err
		}
		if err := assign(dest[i], v); err != nil {
			return errorf(StatusType, "Scan column %d (%s %s): %v", i, c.name, c.typ.Name, err)
		}
	}
	return nil
}

// Row is the result of QueryRow.
type Row struct {
	vals []any
	err  error
}

// Err returns the error of the query, ErrNoRows if it returned no rows.
func (r *Row) Err() error { return r.err }

// Scan copies the row into dest (see Block.Scan).
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	if len(dest) != len(r.vals) {
		return errorf(StatusInvalidArgument, "Scan: %d destinations for %d columns", len(dest), len(r.vals))
	}
	for i := range dest {
		if err := assign(dest[i], r.vals[i]); err != nil {
			return errorf(StatusType, "Scan column %d: %v", i, err)
		}
	}
	return nil
}

// Values returns the row as Go values.
func (r *Row) Values() ([]any, error) { return r.vals, r.err }
