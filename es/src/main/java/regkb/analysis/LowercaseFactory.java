package regkb.analysis;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** Lower-casing (tantivy: LowerCaser); provided here because the slim server has no analysis-common module. */
@NamedComponent("regkb_lowercase")
public class LowercaseFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream in) {
        return new LowerCaseFilter(in);
    }

    @Override
    public TokenStream normalize(TokenStream in) {
        return new LowerCaseFilter(in);
    }
}
