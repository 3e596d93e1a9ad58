"""What a brand does with the questionnaire, for the worked example of docs/collection.md: fill in the
two figures, the evidence and a note, and save it. The figures are SYNTHETIC (brand syn-b03 is a
synthetic brand); nothing here is real data.

    python docs/examples/fill_questionnaire.py questionnaire.xlsx filled.xlsx
"""

import sys

from openpyxl import load_workbook

source, target = sys.argv[1:3]
workbook = load_workbook(source)
sheet = workbook["Questionnaire"]
assert sheet["A8"].value == "syn_service_centres" and sheet["A9"].value == "syn_charging_sites"
sheet["G8"] = 420  # service centres at the end of 2025
sheet["H8"] = "https://example.org/syn-b03/service-network-2025"  # evidence (required for this row)
sheet["I8"] = "SYNTHETIC example value, not a real submission"
sheet["G9"] = 35  # own charging sites (evidence optional)
sheet["I9"] = "SYNTHETIC example value, not a real submission"
workbook.save(target)
