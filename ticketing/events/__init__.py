"""Events and ticket tiers: public pages and organizer management."""
