package backup

import "testing"

func TestSplitPassword(t *testing.T) {
	for _, tc := range []struct{ dsn, conn, password string }{
		{"postgres://humas:s3cr%40t@db:5432/humas?sslmode=require", "postgres://humas@db:5432/humas?sslmode=require", "s3cr@t"},
		{"postgresql://humas@db/humas", "postgresql://humas@db/humas", ""},
		{"host=db user=humas password=s3cret dbname=humas", "host=db user=humas dbname=humas", "s3cret"},
		{"password='a b\\'c' host=db", "host=db", "a b'c"},
		{"host=db dbname=humas", "host=db dbname=humas", ""},
	} {
		conn, pw := splitPassword(tc.dsn)
		if conn != tc.conn || pw != tc.password {
			t.Errorf("splitPassword(%q) = %q, %q; want %q, %q", tc.dsn, conn, pw, tc.conn, tc.password)
		}
	}
}
