package store

// SplitStatementsForTest exposes splitStatements to the external tests.
var SplitStatementsForTest = splitStatements
