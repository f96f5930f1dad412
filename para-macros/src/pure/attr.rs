//! `#[pure]`, `#[pure(name = "rankBatch")]`, `#[pure(register = false)]`.

use syn::parse::{Parse, ParseStream};
use syn::{LitBool, LitStr, Token};

#[derive(Default)]
pub(crate) struct PureArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) register: Option<LitBool>,
}

impl Parse for PureArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = PureArgs::default();
        while !input.is_empty() {
            let key: syn::Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            match key.to_string().as_str() {
                "name" if args.name.is_none() => {
                    let lit: LitStr = input.parse()?;
                    if lit.value().is_empty() {
                        return Err(syn::Error::new_spanned(lit, "#[pure(name = ...)]: the name must not be empty"));
                    }
                    args.name = Some(lit);
                }
                "register" if args.register.is_none() => args.register = Some(input.parse()?),
                "name" | "register" => {
                    return Err(syn::Error::new_spanned(&key, format!("#[pure]: `{key}` is given twice")))
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &key,
                        format!("#[pure]: unknown option `{key}`; expected `name = \"...\"` or `register = false`"),
                    ))
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}
