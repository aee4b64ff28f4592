package extract

import (
	"context"
	"iter"
	"net/url"
	"strconv"
)

// PageSize is the page size of every list request: the API's maximum.
const PageSize = 100

// ListOptions selects builds for the list endpoints. Offset is the first build to return (0 is
// the newest); pages are always PageSize long.
type ListOptions struct {
	Branch  string // only builds of this branch (/tree/:branch); empty = all
	Filter  string // completed, successful, failed or running; empty = all
	Shallow bool   // the reduced summary (shallow=true)
	Offset  int
}

func (o ListOptions) query(offset int) url.Values {
	q := url.Values{"limit": {strconv.Itoa(PageSize)}, "offset": {strconv.Itoa(offset)}}
	if o.Filter != "" {
		q.Set("filter", o.Filter)
	}
	if o.Shallow {
		q.Set("shallow", "true")
	}
	return q
}

// pages iterates over offset pages from fetchPage, starting at offset, until a short page (the
// API's only end signal) or an error, which is yielded once and ends the iteration.
func pages[T any](ctx context.Context, offset int, fetchPage func(ctx context.Context, offset int) ([]T, error)) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		for {
			page, err := fetchPage(ctx, offset)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page, nil) || len(page) < PageSize {
				return
			}
			offset += len(page)
		}
	}
}

// items flattens a page iterator into an item iterator.
func items[T any](pages iter.Seq2[[]T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for page, err := range pages {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, v := range page {
				if !yield(v, nil) {
					return
				}
			}
		}
	}
}
