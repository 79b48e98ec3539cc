"""The base of every page form: text fields refuse control characters.

The same rule as the API's (ticketing/schemas.py): a line break in a name
breaks emails and CSV files; text areas keep their lines.
"""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ticketing.schemas import text_problem


class BaseForm(FlaskForm):
    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        for field in self:
            if isinstance(field, StringField) and isinstance(field.data, str):
                problem = text_problem(field.data, multiline=isinstance(field, TextAreaField))
                if problem:
                    field.errors = [*field.errors, problem]
                    valid = False
        return valid
