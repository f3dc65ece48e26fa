"""Tests of the plan file: parsing, validation, import and export."""
