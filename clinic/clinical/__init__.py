"""The chiropractor's pages under /clinical: readiness picture, training log, screening and treatment notes."""
