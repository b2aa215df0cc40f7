package collector

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ErrBufferFull means a batch could not be kept because the on-disk buffer
// reached collector.buffer_max_bytes while ClickHouse was unreachable.
var ErrBufferFull = errors.New("collector buffer full")

// BufferFullError says how full the buffer is and what to do.
type BufferFullError struct {
	Path          string
	Bytes, Max    int64
	BatchBytes    int64
	RowsNotStored int
}

func (e *BufferFullError) Error() string {
	return fmt.Sprintf("collector buffer full: %s holds %d of %d bytes and a batch of %d rows (%d bytes) does not fit, "+
		"so these snapshots are not stored; ClickHouse has been unreachable: start it (scripts/clickhouse.sh start) "+
		"and the buffer is written to it, or raise collector.buffer_max_bytes / "+
		"buffer koleksi penuh: jalankan ClickHouse atau naikkan collector.buffer_max_bytes",
		e.Path, e.Bytes, e.Max, e.RowsNotStored, e.BatchBytes)
}

// Is makes errors.Is(err, ErrBufferFull) true.
func (e *BufferFullError) Is(target error) bool { return target == ErrBufferFull }

// diskBuffer keeps batches as numbered segment files (one JSON batch per
// file), written to a temporary name, fsynced and renamed, so a crash
// never leaves half a segment. Segments are replayed oldest first.
type diskBuffer struct {
	dir string
	max int64

	mu    sync.Mutex
	segs  []segment // oldest first
	bytes int64
	next  uint64
}

type segment struct {
	seq   uint64
	path  string
	bytes int64
	rows  int
}

const segSuffix = ".batch.json"

func openBuffer(dir string, maxBytes int64) (*diskBuffer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil { // buffered rows are private: 0700 folder, 0600 files
		return nil, fmt.Errorf("collector buffer %s: %w (set collector.buffer_path to a writable directory)", dir, err)
	}
	b := &diskBuffer{dir: dir, max: maxBytes, next: 1}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("collector buffer %s: %w", dir, err)
	}
	for _, e := range ents {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") {
			_ = os.Remove(filepath.Join(dir, name)) // an append that never completed
			continue
		}
		num, ok := strings.CutSuffix(name, segSuffix)
		if !ok {
			continue
		}
		seq, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("collector buffer %s: %w", dir, err)
		}
		b.segs = append(b.segs, segment{seq: seq, path: filepath.Join(dir, name), bytes: info.Size(), rows: -1})
		b.bytes += info.Size()
		b.next = max(b.next, seq+1)
	}
	sort.Slice(b.segs, func(i, j int) bool { return b.segs[i].seq < b.segs[j].seq })
	return b, nil
}

// Append stores a batch durably, or fails with *BufferFullError.
func (b *diskBuffer) Append(batch Batch) error {
	data, err := json.Marshal(batch)
	if err != nil {
		return fmt.Errorf("collector buffer: encode batch: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bytes+int64(len(data)) > b.max {
		return &BufferFullError{Path: b.dir, Bytes: b.bytes, Max: b.max, BatchBytes: int64(len(data)), RowsNotStored: batch.Rows()}
	}
	seq := b.next
	final := filepath.Join(b.dir, fmt.Sprintf("%020d%s", seq, segSuffix))
	tmp := final + ".tmp"
	if err := writeSynced(tmp, data); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("collector buffer: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("collector buffer: %w", err)
	}
	if d, err := os.Open(b.dir); err == nil { // make the rename durable
		_ = d.Sync()
		d.Close()
	}
	b.next++
	b.segs = append(b.segs, segment{seq: seq, path: final, bytes: int64(len(data)), rows: batch.Rows()})
	b.bytes += int64(len(data))
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Oldest returns the oldest segment's batch (ok false when empty).
func (b *diskBuffer) Oldest() (segment, Batch, bool, error) {
	b.mu.Lock()
	if len(b.segs) == 0 {
		b.mu.Unlock()
		return segment{}, Batch{}, false, nil
	}
	s := b.segs[0]
	b.mu.Unlock()
	data, err := os.ReadFile(s.path)
	if err != nil {
		return s, Batch{}, false, fmt.Errorf("collector buffer: read %s: %w", s.path, err)
	}
	var batch Batch
	if err := json.Unmarshal(data, &batch); err != nil {
		return s, Batch{}, false, fmt.Errorf("collector buffer: segment %s is damaged (%w); move it aside to continue", s.path, err)
	}
	return s, batch, true, nil
}

// Remove deletes a replayed segment.
func (b *diskBuffer) Remove(s segment) error {
	if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("collector buffer: remove %s: %w", s.path, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, x := range b.segs {
		if x.seq == s.seq {
			b.segs = append(b.segs[:i], b.segs[i+1:]...)
			b.bytes -= x.bytes
			break
		}
	}
	return nil
}

// Size is the bytes and segments held.
func (b *diskBuffer) Size() (bytes int64, segments int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bytes, len(b.segs)
}
