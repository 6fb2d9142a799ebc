"""The current-practice baseline against the figures of ../shared/domain-nl.md (issue 15)."""
