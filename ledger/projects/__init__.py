"""Granted projects: payments, reports, deadlines, settlement, the projectenbank and the SPUK
workbook."""
