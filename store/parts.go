package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Partition is what system.parts says about one partition of a table.
type Partition struct {
	ID string
	// Parts fingerprints the active parts (names, rows, modification
	// times): it changes with every insert, merge, mutation or rewrite.
	Parts string
	// Rows counts the rows before merges (duplicates a merge would
	// collapse included).
	Rows uint64
}

const qTableParts = `SELECT partition_id, name, rows, toUInt32(modification_time) FROM system.parts
WHERE database = currentDatabase() AND table = ? AND active
ORDER BY partition_id, name`

// Partitions reads a table's partitions from system.parts. The read is
// marked Volatile: part names and times are this server's bookkeeping.
func (c *ClickHouse) Partitions(ctx context.Context, table string) (map[string]Partition, error) {
	rows, err := c.Query(Volatile(ctx), qTableParts, table)
	if err != nil {
		return nil, fmt.Errorf("parts of %s: %w", table, err)
	}
	defer rows.Close()
	type part struct {
		name  string
		rows  uint64
		mtime uint32
	}
	byID := map[string][]part{}
	for rows.Next() {
		var id string
		var p part
		if err := rows.Scan(&id, &p.name, &p.rows, &p.mtime); err != nil {
			return nil, err
		}
		byID[id] = append(byID[id], p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]Partition, len(byID))
	for id, parts := range byID {
		h := sha256.New()
		var n uint64
		for _, p := range parts {
			fmt.Fprintf(h, "%s %d %d\n", p.name, p.rows, p.mtime)
			n += p.rows
		}
		out[id] = Partition{ID: id, Parts: hex.EncodeToString(h.Sum(nil)), Rows: n}
	}
	return out, nil
}
