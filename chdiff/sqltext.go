package chdiff

import (
	"regexp"
	"strings"
)

// scan calls f for each byte of sql outside string literals, quoted
// identifiers and comments, with the parenthesis depth there.
func scan(sql string, f func(i, depth int)) {
	depth := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '`' || c == '"':
			for i++; i < len(sql) && sql[i] != c; i++ {
				if sql[i] == '\\' {
					i++
				}
			}
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return
			}
			i += end + 3
		case c == '(':
			depth++
		case c == ')':
			depth--
		default:
			f(i, depth)
		}
	}
}

// topLevel is sql with everything inside parentheses, literals and
// comments blanked out.
func topLevel(sql string) string {
	b := []byte(strings.Repeat(" ", len(sql)))
	scan(sql, func(i, depth int) {
		if depth == 0 {
			b[i] = sql[i]
		}
	})
	return string(b)
}

var (
	orderByRe    = regexp.MustCompile(`(?i)\bORDER\s+BY\b`)
	unorderedArr = regexp.MustCompile(`(?i)\b(groupArray\w*|groupUniqArray\w*|topK\w*)\s*\(`)
)

// options derives how a statement's answers compare from its text.
func options(sql string) compareOptions {
	return compareOptions{
		ordered:         orderByRe.MatchString(topLevel(sql)),
		unorderedArrays: unorderedArr.MatchString(sql),
	}
}
