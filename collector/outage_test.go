package collector

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// ClickHouse goes away in the middle of a collection and comes back: the
// snapshots wait in the on-disk buffer and every one of them is in
// ClickHouse afterwards. The outage is a TCP proxy we cut (the shared
// server keeps running for everyone else); to the driver it looks like a
// stopped server: open connections drop and new ones are closed at once.
func TestClickHouseOutageMidCollection(t *testing.T) {
	e := newEnv(t)
	e.addAccounts(3, true, 20, 5) // 6 channels, ~100 posts each
	want := e.visibleAll()

	proxy := startProxy(t, storetest.ClickHouseConfig(t).Addr)
	cfg := storetest.ClickHouseConfig(t)
	cfg.Addr, cfg.Database = proxy.Addr(), e.ch.Database()
	cfg.DialTimeout, cfg.ReadTimeout = config.Duration(time.Second), config.Duration(5*time.Second)
	viaProxy, err := store.OpenClickHouse(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer viaProxy.Close()

	var once sync.Once
	c := e.collector(viaProxy, func(o *Options) {
		o.FlushRows = 150 // several writes per run
		o.Config.Concurrency = 1
	})
	st, err := c.Run(context.Background(), RunOptions{OnProgress: func(s RunStatus) {
		if s.ChannelsDone == 2 {
			once.Do(proxy.Cut)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if st.RowsWritten == 0 || st.RowsBuffered == 0 {
		t.Fatalf("want rows written before the outage and buffered during it, got %+v", st)
	}
	if bytes, segs := c.BufferSize(); bytes == 0 || segs == 0 {
		t.Fatalf("buffer empty after the outage (%d bytes, %d segments)", bytes, segs)
	}
	if got := e.count("SELECT count() FROM post_metrics FINAL"); got >= uint64(want) {
		t.Fatalf("%d snapshots in ClickHouse during the outage, want fewer than %d", got, want)
	}
	// While ClickHouse is still away, a flush keeps everything on disk.
	if err := c.Flush(context.Background()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("flush during outage: %v, want store.ErrUnavailable", err)
	}

	proxy.Restore()
	if err := c.Flush(context.Background()); err != nil {
		t.Fatalf("replay after ClickHouse returned: %v", err)
	}
	if got := e.count("SELECT count() FROM post_metrics FINAL"); got != uint64(want) {
		t.Fatalf("snapshots after the outage = %d, want %d", got, want)
	}
	if got := e.count("SELECT uniqExact(platform, post_id) FROM posts"); got != uint64(want) {
		t.Fatalf("posts after the outage = %d, want %d", got, want)
	}
	if got := e.count("SELECT count() FROM account_metrics FINAL"); got != uint64(len(e.chans)) {
		t.Fatalf("account_metrics after the outage = %d, want %d", got, len(e.chans))
	}
	if bytes, segs := c.BufferSize(); bytes != 0 || segs != 0 {
		t.Fatalf("buffer not drained: %d bytes, %d segments", bytes, segs)
	}
}
