"""Qt table models behind the register, the plan and the overview."""
